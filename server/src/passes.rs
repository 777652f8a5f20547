//! Issuing passes: resident CSV import, resident and vehicle passes with serials, reissue, visitor day passes.

use chrono::{DateTime, Duration, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::validate::{validate_id_number, validate_phone, validate_plate, ValidationError};

use crate::store::{DbError, IssuedPass, Resident, Store, Tx};

/// How long a resident or vehicle pass is valid.
pub const RESIDENT_PASS_DAYS: i64 = 365;

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("signing: {0}")]
    Sign(#[from] sync_core::pass::PassError),
    #[error("{0}")]
    Invalid(String),
}

/// One resident row of an import, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub household: String,
    pub plates: Vec<String>,
}

/// A problem on one line of an import file (1-based line number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

fn field(lang: Lang, line: usize, name: &str, e: &ValidationError) -> LineError {
    LineError {
        line,
        message: format!("{name}: {}", e.message(lang)),
    }
}

/// Parse and validate a resident CSV: `name, id_number, phone, building, unit, room, plates`
/// (plates separated by `;` or spaces; an optional header line). All rows or no rows: any error
/// is reported with its line number and nothing is imported.
pub fn parse_import(text: &str, lang: Lang) -> Result<Vec<ImportRow>, Vec<LineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(LineError {
                    line,
                    message: format!("CSV: {e}"),
                });
                continue;
            }
        };
        let cell = |k: usize| record.get(k).unwrap_or("").to_owned();
        if line == 1 && matches!(cell(0).as_str(), "name" | "姓名") {
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() < 6 {
            errors.push(LineError {
                line,
                message: "需要至少6列 needs at least 6 columns: name, id_number, phone, building, unit, room[, plates]".into(),
            });
            continue;
        }
        let name = cell(0);
        if name.is_empty() {
            errors.push(field(lang, line, "name", &ValidationError::Required));
        } else if name.len() > 32 {
            errors.push(field(
                lang,
                line,
                "name",
                &ValidationError::TooLong { max: 10 },
            ));
        }
        let id_number = validate_id_number(&cell(1))
            .map_err(|e| errors.push(field(lang, line, "id_number", &e)));
        let phone =
            validate_phone(&cell(2)).map_err(|e| errors.push(field(lang, line, "phone", &e)));
        let household = format!("{}-{}-{}", cell(3), cell(4), cell(5));
        if household.len() > 24 || cell(3).is_empty() {
            errors.push(LineError {
                line,
                message: "building/unit/room: 房号不完整或过长 missing or too long".into(),
            });
        }
        let mut plates = Vec::new();
        for p in cell(6).split([';', ' ', '；']).filter(|p| !p.is_empty()) {
            match validate_plate(p) {
                Ok(plate) => plates.push(plate.text),
                Err(e) => errors.push(field(lang, line, "plate", &e)),
            }
        }
        if let (Ok(id), Ok(phone)) = (id_number, phone) {
            rows.push(ImportRow {
                name,
                id_number: id.as_str().to_owned(),
                phone,
                household,
                plates,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Minutes a visitor pass starts before its issue time, so a gate phone whose clock is a little
/// behind still accepts it; the signing key's period starts this much before its creation too.
pub const BACKDATE_MINUTES: i64 = 5;

/// Sign and store the pass `body` (of `resident_id`, when a resident's); older serials of the same
/// id are revoked with it.
pub async fn issue(
    store: &Store,
    signer: &DistrictSigner,
    body: PassBody,
    resident_id: Option<&str>,
) -> Result<IssuedPass, IssueError> {
    let mut tx = store.begin().await?;
    let issued = issue_in(&mut tx, signer, body, resident_id).await?;
    tx.commit().await?;
    Ok(issued)
}

/// `issue` inside a transaction of the caller's.
pub(crate) async fn issue_in(
    tx: &mut Tx,
    signer: &DistrictSigner,
    body: PassBody,
    resident_id: Option<&str>,
) -> Result<IssuedPass, IssueError> {
    let payload = signer.sign(&body)?;
    let issued = IssuedPass {
        pass_id: body.pass_id,
        serial: body.serial,
        kind: body.kind,
        resident_id: resident_id.map(str::to_owned),
        compound_id: body.compound_id,
        household: body.household,
        display_name: body.display_name,
        plate: body.plate,
        payload,
        issued_at_ms: body.valid_from.timestamp_millis(),
        valid_until_ms: body.valid_until.timestamp_millis(),
        revoked_at_ms: None,
    };
    tx.store_pass(&issued, Utc::now().timestamp_millis())
        .await?;
    Ok(issued)
}

/// Import residents into a compound and issue a resident pass (and a pass per plate) to each
/// one that has none yet, audited as `actor`: all of it and its audit row in one transaction.
/// Returns how many passes were issued.
pub async fn import_residents(
    store: &Store,
    signer: &DistrictSigner,
    compound_id: &str,
    rows: &[ImportRow],
    now: DateTime<Utc>,
    actor: &str,
) -> Result<usize, IssueError> {
    let mut tx = store.begin().await?;
    let issued = import_in(&mut tx, signer, compound_id, rows, now).await?;
    let detail = format!(
        "imported {} residents into {compound_id}; issued {issued} passes",
        rows.len()
    );
    tx.audit(actor, "import", &detail, now.timestamp_millis())
        .await?;
    tx.commit().await?;
    Ok(issued)
}

async fn import_in(
    tx: &mut Tx,
    signer: &DistrictSigner,
    compound_id: &str,
    rows: &[ImportRow],
    now: DateTime<Utc>,
) -> Result<usize, IssueError> {
    let until = now + Duration::days(RESIDENT_PASS_DAYS);
    let mut issued = 0;
    for row in rows {
        let n = tx.next_counter("resident").await?;
        let fresh_id = format!("R{n:06}");
        let resident = Resident {
            id: fresh_id,
            compound_id: compound_id.to_owned(),
            name: row.name.clone(),
            id_number: row.id_number.clone(),
            phone: row.phone.clone(),
            household: row.household.clone(),
            plates: row.plates.clone(),
        };
        let id = tx
            .upsert_resident(&resident, now.timestamp_millis())
            .await?;
        let first_serial = |kind, pass_id: &str, plate: Option<&String>| PassBody {
            kind,
            pass_id: pass_id.to_owned(),
            serial: 1,
            district_id: signer.district_id().to_owned(),
            compound_id: compound_id.to_owned(),
            household: row.household.clone(),
            display_name: row.name.clone(),
            plate: plate.cloned(),
            valid_from: now,
            valid_until: until,
        };
        if tx.last_serial(&id).await? == 0 {
            let body = first_serial(PassKind::Resident, &id, None);
            issue_in(tx, signer, body, Some(&id)).await?;
            issued += 1;
        }
        for (k, plate) in row.plates.iter().enumerate() {
            let pass_id = format!("V{}-{}", id.trim_start_matches('R'), k + 1);
            if tx.last_serial(&pass_id).await? == 0 {
                let body = first_serial(PassKind::Vehicle, &pass_id, Some(plate));
                issue_in(tx, signer, body, Some(&id)).await?;
                issued += 1;
            }
        }
    }
    Ok(issued)
}

/// Issue the next serial of an existing pass (lost card): the old serials are revoked. Audited as
/// `actor` in the same transaction.
pub async fn reissue(
    store: &Store,
    signer: &DistrictSigner,
    pass_id: &str,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<IssuedPass, IssueError> {
    let mut tx = store.begin().await?;
    let current = tx
        .newest_pass(pass_id)
        .await?
        .ok_or_else(|| IssueError::Invalid(format!("no pass {pass_id}")))?;
    let body = PassBody {
        kind: current.kind,
        pass_id: current.pass_id,
        serial: current.serial + 1,
        district_id: signer.district_id().to_owned(),
        compound_id: current.compound_id,
        household: current.household,
        display_name: current.display_name,
        plate: current.plate,
        valid_from: now,
        valid_until: now + Duration::days(RESIDENT_PASS_DAYS),
    };
    let issued = issue_in(&mut tx, signer, body, current.resident_id.as_deref()).await?;
    let detail = format!("reissued {pass_id} as serial {}", issued.serial);
    tx.audit(actor, "reissue", &detail, now.timestamp_millis())
        .await?;
    tx.commit().await?;
    Ok(issued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_is_all_or_nothing_with_line_numbers() {
        let good = "姓名,身份证,手机,楼,单元,室,车牌\n张三,11010519491231002X,13812345678,3,2,401,京A12345\n";
        let rows = parse_import(good, Lang::En).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].household, "3-2-401");
        assert_eq!(rows[0].plates, vec!["京A12345".to_string()]);
        let bad = format!("{good}李四,123,1381234,3,2,402,\n");
        let errors = parse_import(&bad, Lang::En).unwrap_err();
        assert!(errors.iter().all(|e| e.line == 3));
        assert!(errors.iter().any(|e| e.message.starts_with("id_number")));
        assert!(errors.iter().any(|e| e.message.starts_with("phone")));
    }
}
