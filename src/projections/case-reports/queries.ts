import { sql, type CommonQueryMethods } from 'slonik';
import { caseReportViewSchema, type CaseReportView } from '../../contract/views.js';

/**
 * The report a case shows: its current investigation's when that one finished, else the latest
 * finished one (the console then says it is from an earlier run).
 */
export async function getCaseReport(
  pool: CommonQueryMethods,
  caseId: string,
  currentInvestigationId: string | null,
): Promise<CaseReportView | null> {
  return pool.maybeOne(sql.type(caseReportViewSchema)`
    SELECT investigation_id AS "investigationId", completed_at AS "completedAt", anchor, report,
      version, revision, last_seq AS "seq"
    FROM case_reports WHERE case_id = ${caseId}
    ORDER BY (investigation_id = ${currentInvestigationId ?? ''}) DESC, last_seq DESC
    LIMIT 1`);
}
