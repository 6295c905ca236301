import { describe, expect, it } from 'vitest';
import {
  chooseClientId,
  clientIdLockName,
  noClientIdLocks,
  webClientIdLocks,
} from '../../../app/lib/session/client-id-claim.ts';
import { FakeLocks } from './fake-world.ts';

describe('CH-C11 client id across reloads', () => {
  it('CH-C11 reuses the newest bound id when its lock is free, else takes a fresh unused one', async () => {
    const locks = new FakeLocks();
    const ids = [7, 8, 9];
    const fresh = () => ids.shift()!;
    const first = await chooseClientId({
      chatId: 'c',
      boundBefore: [3, 5],
      inDocument: new Set(),
      locks,
      fresh,
    });
    expect(first.clientId).toBe(5);
    const second = await chooseClientId({
      chatId: 'c',
      boundBefore: [3, 5],
      inDocument: new Set([7]),
      locks,
      fresh,
    });
    expect(second.clientId).toBe(8);
    expect(locks.held).toEqual(new Set([clientIdLockName('c', 5), clientIdLockName('c', 8)]));
    first.lock?.release();
    const third = await chooseClientId({
      chatId: 'c',
      boundBefore: [3, 5],
      inDocument: new Set(),
      locks,
      fresh,
    });
    expect(third.clientId).toBe(5);
    expect(
      (
        await chooseClientId({
          chatId: 'c',
          boundBefore: [5],
          inDocument: new Set(),
          locks: noClientIdLocks,
          fresh,
        })
      ).clientId,
    ).toBe(9);
  });

  it('CH-C11 never reuses an id whose writes the store may have lost, even with its lock free', async () => {
    const locks = new FakeLocks();
    const chosen = await chooseClientId({
      chatId: 'c',
      boundBefore: [3, 5],
      inDocument: new Set([5]),
      locks,
      fresh: () => 11,
      mayReuse: (clientId) => clientId !== 5,
    });
    expect(chosen.clientId).toBe(11);
    expect(locks.held).toEqual(new Set([clientIdLockName('c', 11)]));
  });

  it('CH-C11 Web Locks: ifAvailable, held until released', async () => {
    const granted = new Set<string>();
    const requests: { name: string; ifAvailable: boolean }[] = [];
    const manager = {
      request(
        name: string,
        options: { ifAvailable: boolean },
        callback: (lock: unknown) => Promise<void> | void,
      ) {
        requests.push({ name, ...options });
        if (granted.has(name)) return Promise.resolve(callback(null));
        granted.add(name);
        return Promise.resolve(callback({ name })).then(() => void granted.delete(name));
      },
    };
    const locks = webClientIdLocks(manager);
    const lock = await locks.claim('x');
    expect(lock).not.toBeNull();
    expect(await locks.claim('x')).toBeNull();
    lock!.release();
    await Promise.resolve();
    await Promise.resolve();
    expect(granted.has('x')).toBe(false);
    expect(requests.every((r) => r.ifAvailable)).toBe(true);
    expect(await webClientIdLocks(undefined).claim('x')).toBeNull();
  });
});
