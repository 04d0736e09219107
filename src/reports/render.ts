import { renderMarkdown } from '../analysis/markdown.js';
import { reportSchemaV1 } from '../contract/report.js';

/** Markdown of a stored report; a report that does not match the schema is shown as raw JSON. */
export function renderReport(report: unknown): string {
  const parsed = reportSchemaV1.safeParse(report);
  if (parsed.success) return renderMarkdown(parsed.data);
  return `# Tarka report\n\nThis report does not match the current schema; raw content:\n\n\`\`\`json\n${JSON.stringify(report, null, 2)}\n\`\`\`\n`;
}
