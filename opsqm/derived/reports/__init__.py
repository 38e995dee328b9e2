"""Reports generated from OpsQM's own data (合同 八): the quarterly report, the annual
summary, the work-order set, the attendance results and the vulnerability patch
records — PDF for the archive, DOCX for editing.  Figures come from the engine's
ledger (`opsqm.facts.contracts.scoring.contract_ledger`), never from separate arithmetic."""
