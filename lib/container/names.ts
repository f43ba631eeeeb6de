// Generated container names, docker-style: adjective_noun, with a number when both are taken.
const adjectives = [
  'admiring', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'charming', 'clever', 'cool',
  'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic', 'fervent', 'festive', 'focused', 'friendly', 'gallant',
  'gifted', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'laughing', 'lucid', 'magical', 'modest', 'nice', 'nifty',
  'optimistic', 'peaceful', 'quirky', 'relaxed', 'serene', 'sharp', 'silly', 'stoic', 'sweet', 'tender', 'trusting',
  'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous',
];
const nouns = [
  'agnesi', 'babbage', 'bell', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermat', 'feynman',
  'galileo', 'gauss', 'goldberg', 'hamilton', 'hawking', 'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamport',
  'lovelace', 'meitner', 'mendel', 'newton', 'noether', 'pascal', 'pasteur', 'ritchie', 'shannon', 'thompson', 'tesla',
  'torvalds', 'turing', 'wozniak', 'yalow',
];

/** An adjective_noun name not in `taken`; `random` is [0, 1) (injected for tests). */
export function generateName(taken: ReadonlySet<string>, random: () => number = Math.random): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const name = `${pick(adjectives)}_${pick(nouns)}`;
    if (!taken.has(name)) return name;
  }
  const base = `${pick(adjectives)}_${pick(nouns)}`;
  let suffix = 1;
  while (taken.has(`${base}${suffix}`)) suffix += 1;
  return `${base}${suffix}`;
}
