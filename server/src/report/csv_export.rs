//! The daily report as CSV, with every cell neutralised against formula injection.

use super::DailyReport;

/// Make a cell safe to open in a spreadsheet: a leading `= + - @`, tab or CR gets a `'` in front.
pub fn neutralise_cell(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// One line per number: `district, compound, day, section, item, value`; `extra` lines
/// (`section, item, value`) follow the counted ones (the typed figures, who signed).
pub fn report_csv(
    report: &DailyReport,
    checkpoint_names: &[(String, String)],
    extra: &[(String, String, String)],
) -> Result<String, csv::Error> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
    let compound = report.compound_id.clone().unwrap_or_else(|| "all".into());
    let day = report.day.to_string();
    let mut line = |section: &str, item: &str, value: String| -> Result<(), csv::Error> {
        let cells = [
            report.district_name.as_str(),
            compound.as_str(),
            day.as_str(),
            section,
            item,
            value.as_str(),
        ];
        out.write_record(cells.iter().map(|c| neutralise_cell(c)))
    };
    line("section", "item", "value".into())?;
    for t in &report.totals {
        let kind = t.kind.as_str();
        line("admitted_in", kind, t.admitted_in.to_string())?;
        line("admitted_out", kind, t.admitted_out.to_string())?;
        line("denied", kind, t.denied.to_string())?;
    }
    for (cp, i, o) in &report.per_checkpoint {
        let name = checkpoint_names
            .iter()
            .find(|(id, _)| id == cp)
            .map_or(cp.as_str(), |(_, n)| n.as_str());
        line("checkpoint_in", name, i.to_string())?;
        line("checkpoint_out", name, o.to_string())?;
    }
    line(
        "vehicle_occupants",
        "in",
        report.vehicle_occupants_in.to_string(),
    )?;
    line(
        "vehicle_occupants",
        "out",
        report.vehicle_occupants_out.to_string(),
    )?;
    line(
        "visitors_inside_at_midnight",
        "visitor",
        report.visitors_inside_at_midnight.to_string(),
    )?;
    line("fever_cases", "all", report.fever_cases.to_string())?;
    line("denied_entries", "all", report.denied_entries.to_string())?;
    for (reason, n) in &report.denied_by_reason {
        line("denied_by_reason", reason.as_str(), n.to_string())?;
    }
    line(
        "silent_devices",
        "count",
        report.silent_devices.len().to_string(),
    )?;
    for d in &report.silent_devices {
        line("silent_device", d, "1".into())?;
    }
    line("records_counted", "all", report.records_counted.to_string())?;
    for (category, n) in &report.incidents {
        line("incidents", category.as_str(), n.to_string())?;
    }
    let h = &report.health;
    line("health_checkins", "members", h.members.to_string())?;
    line("health_checkins", "checked_in", h.checked_in.to_string())?;
    line(
        "health_checkins",
        "not_checked_in",
        h.not_checked_in().to_string(),
    )?;
    line("health_checkins", "flagged", h.flagged.to_string())?;
    line("patrol_rounds_due", "all", report.patrol.due.to_string())?;
    for (status, n) in &report.patrol.by_status {
        line("patrol_rounds", status.as_str(), n.to_string())?;
    }
    for (section, item, value) in extra {
        line(section, item, value.clone())?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_others_kept() {
        for bad in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"] {
            assert!(neutralise_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise_cell("东门"), "东门");
        assert_eq!(neutralise_cell("12"), "12");
        assert_eq!(neutralise_cell(""), "");
    }
}
