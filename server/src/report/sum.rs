//! Adding compounds' daily reports into the district's: every count added, lists merged.

use super::DailyReport;

/// Add `(key, count)` pairs of `from` into `into`, keeping `into`'s order and appending new keys.
fn merge<K: PartialEq + Clone>(into: &mut Vec<(K, u64)>, from: &[(K, u64)]) {
    for (k, n) in from {
        match into.iter_mut().find(|(key, _)| key == k) {
            Some((_, m)) => *m += n,
            None => into.push((k.clone(), *n)),
        }
    }
}

impl DailyReport {
    /// Add another compound's report of the same day into this one (which becomes district-wide).
    pub fn add(&mut self, other: &DailyReport) {
        self.compound_id = None;
        for t in &other.totals {
            match self.totals.iter_mut().find(|m| m.kind == t.kind) {
                Some(m) => {
                    m.admitted_in += t.admitted_in;
                    m.admitted_out += t.admitted_out;
                    m.denied += t.denied;
                }
                None => self.totals.push(t.clone()),
            }
        }
        self.per_checkpoint
            .extend(other.per_checkpoint.iter().cloned());
        self.per_checkpoint.sort();
        self.visitors_inside_at_midnight += other.visitors_inside_at_midnight;
        self.fever_cases += other.fever_cases;
        self.denied_entries += other.denied_entries;
        merge(&mut self.denied_by_reason, &other.denied_by_reason);
        self.silent_devices
            .extend(other.silent_devices.iter().cloned());
        self.records_counted += other.records_counted;
        self.patrol.due += other.patrol.due;
        merge(&mut self.patrol.by_status, &other.patrol.by_status);
        merge(&mut self.incidents, &other.incidents);
        self.health.add(&other.health);
        self.vehicle_occupants_in += other.vehicle_occupants_in;
        self.vehicle_occupants_out += other.vehicle_occupants_out;
    }
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn counts_of_the_same_key_add_and_new_keys_follow() {
        let mut into = vec![("fever", 1), ("revoked", 2)];
        merge(&mut into, &[("revoked", 3), ("expired", 4)]);
        assert_eq!(into, vec![("fever", 1), ("revoked", 5), ("expired", 4)]);
    }
}
