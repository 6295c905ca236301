// The demo host site's one piece of single-page navigation: the printing topics
// change the URL with history.pushState instead of loading a page, as single-page
// apps do, so the embed loader's page tracking (F11) can be tried and tested.
/** @type {Record<string, { title: string; text: string }>} */
const topics = {
  jams: {
    title: 'Printing help: paper jams',
    text: 'Open the front cover, pull the jammed sheet out slowly with both hands, and close the cover.',
  },
  blank: {
    title: 'Printing help: blank pages',
    text: 'Check the toner and print a test page from the printer settings.',
  },
};

/** @param {string | null} topic */
function show(topic) {
  const found = topic === null ? undefined : topics[topic];
  const out = document.getElementById('topic');
  if (!found || !out) return;
  document.title = found.title;
  out.innerHTML = '';
  const h = document.createElement('h2');
  h.textContent = found.title;
  const p = document.createElement('p');
  p.textContent = found.text;
  out.append(h, p);
}

for (const link of document.querySelectorAll('a[data-topic]')) {
  if (!(link instanceof HTMLAnchorElement)) continue;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    const topic = link.dataset['topic'] ?? '';
    show(topic);
    history.pushState({ topic }, '', `?topic=${topic}`);
  });
}
addEventListener('popstate', () => show(new URLSearchParams(location.search).get('topic')));
show(new URLSearchParams(location.search).get('topic'));
