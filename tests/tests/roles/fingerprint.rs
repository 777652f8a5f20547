//! Every row of every table as text, read beside the server (rusqlite on the SQLite file, the
//! simple-query protocol on PostgreSQL), so a test can prove a refused request changed nothing.

/// Tables that change on every request or every login attempt, the log of what was done (an
/// allowed export writes a line), and SQLite's counters of those.
const SKIPPED: [&str; 4] = ["sessions", "login_throttle", "audit", "sqlite_sequence"];

/// The sorted rows of every table but [`SKIPPED`], one line each.
pub async fn fingerprint(url: &str) -> Vec<String> {
    match url.strip_prefix("sqlite:") {
        Some(path) => sqlite_rows(path),
        None => postgres_rows(url).await,
    }
}

fn sqlite_rows(path: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut names = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    let tables: Vec<String> = names
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|t: &String| !SKIPPED.contains(&t.as_str()))
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n).map(|i| cell(row.get_ref(i).unwrap())).collect();
            out.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    out.sort();
    out
}

fn cell(v: rusqlite::types::ValueRef<'_>) -> String {
    match v {
        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        other => format!("{other:?}"),
    }
}

/// The lines only one of two fingerprints has (empty when they are equal).
pub fn changed(before: &[String], after: &[String]) -> Vec<String> {
    let gone = before
        .iter()
        .filter(|l| !after.contains(l))
        .map(|l| format!("- {l}"));
    let new = after
        .iter()
        .filter(|l| !before.contains(l))
        .map(|l| format!("+ {l}"));
    gone.chain(new).collect()
}

async fn postgres_rows(url: &str) -> Vec<String> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(conn);
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|t| !SKIPPED.contains(&t.as_str()))
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let messages = client
            .simple_query(&format!("SELECT * FROM \"{table}\""))
            .await
            .unwrap();
        for m in messages {
            if let tokio_postgres::SimpleQueryMessage::Row(row) = m {
                let cells: Vec<&str> = (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL"))
                    .collect();
                out.push(format!("{table}: {}", cells.join(" | ")));
            }
        }
    }
    task.abort();
    out.sort();
    out
}
