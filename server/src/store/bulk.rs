//! Many rows into one table in one go, each backend its fastest way: SQLite as multi-row
//! `INSERT … ON CONFLICT DO NOTHING RETURNING` statements, PostgreSQL as a binary `COPY` into a
//! temporary staging table and one `INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING` (no
//! per-statement parsing and parameter lists; the triggers on the table fire as for any insert).

use tokio_postgres::types::Type;

use super::value::placeholders;
use super::{Stmt, Val};

/// Rows per multi-row `INSERT` where there is no `COPY` (SQLite allows 32,766 parameters).
const INSERT_CHUNK: usize = 250;

/// A column's type, as the binary `COPY` must name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Real,
    Text,
}

impl ColumnType {
    pub(crate) fn pg(self) -> Type {
        match self {
            Self::Int => Type::INT8,
            Self::Real => Type::FLOAT8,
            Self::Text => Type::TEXT,
        }
    }
}

/// Rows for one table; a row that conflicts with a stored one is skipped.
#[derive(Debug, Clone)]
pub struct BulkInsert {
    pub table: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    /// Each row's values in column order.
    pub rows: Vec<Vec<Val>>,
    /// The column returned for each row stored.
    pub returning: &'static str,
    /// The order the rows are inserted in (their identity keys follow it).
    pub order_by: &'static str,
}

impl BulkInsert {
    pub(crate) fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The multi-row `INSERT` statements of a backend without `COPY`.
    pub(crate) fn statements(&self) -> Vec<Stmt> {
        let n = self.columns.len();
        self.rows
            .chunks(INSERT_CHUNK)
            .map(|chunk| {
                let tuples: Vec<String> = (0..chunk.len())
                    .map(|k| format!("({})", placeholders(k * n, n)))
                    .collect();
                Stmt::new(
                    format!(
                        "INSERT INTO {} ({}) VALUES {} ON CONFLICT DO NOTHING RETURNING {}",
                        self.table,
                        self.column_list(),
                        tuples.join(", "),
                        self.returning
                    ),
                    chunk.iter().flatten().cloned().collect(),
                )
            })
            .collect()
    }

    /// The staging table's name and its `CREATE` (a temporary table per connection, emptied at
    /// the end of every transaction).
    pub(crate) fn staging(&self) -> (String, String) {
        let stage = format!("stage_{}", self.table);
        let create = format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS \
             SELECT {} FROM {} WITH NO DATA",
            self.column_list(),
            self.table
        );
        (stage, create)
    }

    /// The one statement that moves the staged rows into the table.
    pub(crate) fn insert_staged(&self, stage: &str) -> String {
        let columns = self.column_list();
        format!(
            "INSERT INTO {} ({columns}) SELECT {columns} FROM {stage} ORDER BY {} \
             ON CONFLICT DO NOTHING RETURNING {}",
            self.table, self.order_by, self.returning
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[(&str, ColumnType)] = &[("id", ColumnType::Text), ("n", ColumnType::Int)];

    fn bulk(rows: usize) -> BulkInsert {
        BulkInsert {
            table: "things",
            columns: COLUMNS,
            rows: (0..rows)
                .map(|i| vec![format!("t{i}").into(), (i as i64).into()])
                .collect(),
            returning: "id",
            order_by: "n",
        }
    }

    #[test]
    fn without_copy_the_rows_go_as_multi_row_inserts_of_at_most_250() {
        let stmts = bulk(600).statements();
        assert_eq!(stmts.len(), 3);
        assert_eq!(stmts[0].params.len(), 500);
        assert_eq!(stmts[2].params.len(), 200);
        assert!(stmts[0]
            .sql
            .starts_with("INSERT INTO things (id, n) VALUES ($1, $2), ($3, $4)"));
        assert!(stmts[0]
            .sql
            .ends_with("ON CONFLICT DO NOTHING RETURNING id"));
        assert!(bulk(0).statements().is_empty());
    }

    #[test]
    fn the_staged_rows_go_in_with_one_statement_in_order() {
        let b = bulk(1);
        let (stage, create) = b.staging();
        assert_eq!(stage, "stage_things");
        assert!(create.contains("ON COMMIT DELETE ROWS") && create.contains("WITH NO DATA"));
        assert_eq!(
            b.insert_staged(&stage),
            "INSERT INTO things (id, n) SELECT id, n FROM stage_things ORDER BY n \
             ON CONFLICT DO NOTHING RETURNING id"
        );
    }
}
