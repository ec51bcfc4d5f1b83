// One table of placements that every workspace of the engine must pass (issue 20: the plain-files
// workspace of the terminal and agent faces now; the VS Code one through the same table next): a page,
// the placeholder to fill, what happened to the page while its image was generating, the links, and
// the page that must result — or the reason nothing may be written.

export interface PlacementCase {
  name: string;
  /** The page when the placeholders were read. */
  page: string;
  /** The placeholders to fill, in the order their images arrive: [source text, occurrence among identical ones (0-based)]. */
  fill: { source: string; occurrence?: number; links: string[] }[];
  /** What someone did to the page while the images were generating (before the first fill). */
  meanwhile?: (text: string) => string;
  /** The page afterwards; or, for a fill that must not be written, the reason per fill. */
  expect: string;
  /** Per fill: 'ok', or why nothing was written for it. */
  outcomes?: ('ok' | 'gone' | 'ambiguous')[];
  /**
   * Where the editor knows more: it follows every edit as it is made, so a placeholder whose twins
   * changed is still the same one there. What it must do instead.
   */
  editor?: { expect: string; outcomes: ('ok' | 'gone' | 'ambiguous')[] };
}

const fox = '![a red fox asleep in snow]()';

export const PLACEMENT_CASES: PlacementCase[] = [
  {
    name: 'one image goes into the placeholder\'s ()',
    page: `# Fox\n\n${fox}\n\nText after.\n`,
    fill: [{ source: fox, links: ['images/fox.png'] }],
    expect: '# Fox\n\n![a red fox asleep in snow](images/fox.png)\n\nText after.\n',
  },
  {
    name: 'CRLF page: two images, one per line, CRLF kept',
    page: `# Fox\r\n\r\n${fox}\r\n`,
    fill: [{ source: fox, links: ['images/a.png', 'images/b.png'] }],
    expect: '# Fox\r\n\r\n![a red fox asleep in snow](images/a.png)\r\n![a red fox asleep in snow](images/b.png)\r\n',
  },
  {
    name: 'in a list item, several images stay inside the item',
    page: `- one\n- ${fox}\n- three\n`,
    fill: [{ source: fox, links: ['a.png', 'b.png'] }],
    expect: '- one\n- ![a red fox asleep in snow](a.png)\n  ![a red fox asleep in snow](b.png)\n- three\n',
  },
  {
    name: 'in a block quote, the quote marker is kept on the new line',
    page: `> ${fox}\n`,
    fill: [{ source: fox, links: ['a.png', 'b.png'] }],
    expect: '> ![a red fox asleep in snow](a.png)\n> ![a red fox asleep in snow](b.png)\n',
  },
  {
    name: 'in a table cell, several images share the cell',
    page: `| a | b |\n|---|---|\n| ${fox} | x |\n`,
    fill: [{ source: fox, links: ['a.png', 'b.png'] }],
    expect: '| a | b |\n|---|---|\n| ![a red fox asleep in snow](a.png) ![a red fox asleep in snow](b.png) | x |\n',
  },
  {
    name: 'an override comment after the placeholder stays as it is',
    page: `${fox} <!-- pictor: size=16:9 -->\n`,
    fill: [{ source: fox, links: ['images/fox.png'] }],
    expect: '![a red fox asleep in snow](images/fox.png) <!-- pictor: size=16:9 -->\n',
  },
  {
    name: 'front matter and Unicode text around it are untouched',
    page: '---\ntitle: 狐狸\npictor:\n  size: "1:1"\n---\n\n![雪中熟睡的红狐 🦊]()\n',
    fill: [{ source: '![雪中熟睡的红狐 🦊]()', links: ['images/狐.png'] }],
    expect: '---\ntitle: 狐狸\npictor:\n  size: "1:1"\n---\n\n![雪中熟睡的红狐 🦊](images/狐.png)\n',
  },
  {
    name: 'the page was edited above while generating: placed where the placeholder is now',
    page: `# Fox\n\n${fox}\n`,
    meanwhile: (t) => t.replace('# Fox\n', '# Fox\n\nA new paragraph the user wrote meanwhile.\n'),
    fill: [{ source: fox, links: ['images/fox.png'] }],
    expect: '# Fox\n\nA new paragraph the user wrote meanwhile.\n\n![a red fox asleep in snow](images/fox.png)\n',
  },
  {
    name: 'the placeholder was rewritten while generating: nothing is written',
    page: `# Fox\n\n${fox}\n`,
    meanwhile: (t) => t.replace(fox, '![a grey wolf]()'),
    fill: [{ source: fox, links: ['images/fox.png'] }],
    expect: '# Fox\n\n![a grey wolf]()\n',
    outcomes: ['gone'],
  },
  {
    name: 'two identical placeholders, both generated: each filled once, in place',
    page: `${fox}\n\nmiddle\n\n${fox}\n`,
    fill: [{ source: fox, occurrence: 1, links: ['second.png'] }, { source: fox, occurrence: 0, links: ['first.png'] }],
    expect: '![a red fox asleep in snow](first.png)\n\nmiddle\n\n![a red fox asleep in snow](second.png)\n',
  },
  {
    name: 'an identical placeholder added meanwhile: which one is meant is not certain, so nothing is written',
    page: `${fox}\n\nmiddle\n\n${fox}\n`,
    meanwhile: (t) => `${fox}\n\n${t}`,
    fill: [{ source: fox, occurrence: 1, links: ['second.png'] }],
    expect: `${fox}\n\n${fox}\n\nmiddle\n\n${fox}\n`,
    outcomes: ['ambiguous'],
    editor: { expect: `${fox}\n\n${fox}\n\nmiddle\n\n![a red fox asleep in snow](second.png)\n`, outcomes: ['ok'] },
  },
  {
    name: 'identical alt texts with different override comments are different placeholders',
    page: `${fox} <!-- pictor: size=1:1 -->\n\n${fox} <!-- pictor: size=16:9 -->\n`,
    meanwhile: (t) => `intro\n\n${t}`,
    fill: [{ source: fox, occurrence: 0, links: ['square.png'] }],
    expect: 'intro\n\n![a red fox asleep in snow](square.png) <!-- pictor: size=1:1 -->\n\n![a red fox asleep in snow]() <!-- pictor: size=16:9 -->\n',
  },
  {
    name: 'the placeholder was deleted while generating: nothing is written',
    page: `# Fox\n\n${fox}\n`,
    meanwhile: () => '# Fox\n',
    fill: [{ source: fox, links: ['images/fox.png'] }],
    expect: '# Fox\n',
    outcomes: ['gone'],
  },
  {
    name: 'a look-alike in code is not a placeholder: the real one is filled',
    page: `\`${fox}\`\n\n${fox}\n`,
    fill: [{ source: fox, links: ['fox.png'] }],
    expect: `\`${fox}\`\n\n![a red fox asleep in snow](fox.png)\n`,
  },
];
