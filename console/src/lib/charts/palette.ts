// Colours readable on both light and dark backgrounds; every chart also labels its series in text.
const cycle = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#edc948',
  '#76b7b2',
  '#ff9da7',
  '#9c755f',
  '#86bcb6',
  '#d37295',
  '#a0cbe8',
];

const fixed: Record<string, string> = {
  actionable: '#e15759',
  informational: '#4e79a7',
  noisy: '#9aa4b1',
  artifact: '#b07aa1',
  pending: '#c5ccd6',
  failed: '#8c2d19',
};

export function colourOf(key: string, index: number): string {
  return fixed[key] ?? cycle[index % cycle.length]!;
}
