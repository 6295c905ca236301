/** The signalling protocol version, agreed at hello (SPEC.md rule SP-H1). Bump on any
 * change that an older peer would misread; the service accepts exactly the versions
 * listed in SUPPORTED_PROTOCOL_VERSIONS. */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];
