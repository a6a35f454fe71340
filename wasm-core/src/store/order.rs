//! Sort orders of the records ([`SortKey`]: position or QUAL): [`VariantStore::order`] for one
//! store, [`merge_orders`] for the shards of one file read by several workers, which must give
//! the order one store holding them all would.

use super::VariantStore;

impl VariantStore {
    /// Row order for a sort.
    pub fn order(&self, by: SortKey, descending: bool) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..self.len() as u32).collect();
        match by {
            SortKey::Position => {
                // Files are almost always sorted already: check in one pass before sorting.
                let key = |i: usize| (self.contig_of(i), self.pos(i));
                if !(1..self.len()).all(|i| key(i - 1) <= key(i)) {
                    idx.sort_by_key(|&i| key(i as usize));
                }
            }
            SortKey::Qual => {
                // Missing QUAL sorts last in both directions.
                idx.sort_by(|&a, &b| {
                    let (qa, qb) = (self.qual(a as usize), self.qual(b as usize));
                    match (qa, qb) {
                        (Some(x), Some(y)) => {
                            let o = x.total_cmp(&y);
                            if descending { o.reverse() } else { o }
                        }
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => std::cmp::Ordering::Equal,
                    }
                });
                return idx;
            }
        }
        if descending {
            idx.reverse();
        }
        idx
    }
}

/// The first `limit` records of several stores (shards of one file, in file order) in the order
/// one store holding them all would give ([`VariantStore::order`]): a k-way merge of each
/// shard's own `order(key, descending)`. Returns `(shard, index in that shard)` pairs.
///
/// Ties keep file order, as the single sort does (for `Position` descending, reversed file
/// order). Position compares contig ids, which agree between shards when the header declares
/// the contigs (shards are built from the same header).
pub fn merge_orders(
    stores: &[&VariantStore],
    orders: &[Vec<u32>],
    key: SortKey,
    descending: bool,
    limit: usize,
) -> Vec<(usize, u32)> {
    use std::cmp::Ordering;
    let mut next = vec![0usize; orders.len()];
    let mut out = Vec::with_capacity(limit.min(1 << 20));
    let compare = |(ka, a): (usize, u32), (kb, b): (usize, u32)| -> Ordering {
        let (sa, sb) = (stores[ka], stores[kb]);
        let (a, b) = (a as usize, b as usize);
        let file_order = (ka, a).cmp(&(kb, b));
        match key {
            SortKey::Position => {
                let o = (sa.contig_of(a), sa.pos(a))
                    .cmp(&(sb.contig_of(b), sb.pos(b)))
                    .then(file_order);
                if descending { o.reverse() } else { o }
            }
            SortKey::Qual => match (sa.qual(a), sb.qual(b)) {
                (Some(x), Some(y)) => {
                    let o = x.total_cmp(&y);
                    (if descending { o.reverse() } else { o }).then(file_order)
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => file_order,
            },
        }
    };
    while out.len() < limit {
        let mut best: Option<(usize, u32)> = None;
        for (k, order) in orders.iter().enumerate() {
            if let Some(&i) = order.get(next[k])
                && best.is_none_or(|b| compare((k, i), b) == Ordering::Less)
            {
                best = Some((k, i));
            }
        }
        let Some((k, i)) = best else { break };
        next[k] += 1;
        out.push((k, i));
    }
    out
}

/// What the table can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    Position,
    Qual,
}

#[cfg(test)]
mod tests {
    use super::super::FLOAT_MISSING;
    use super::super::tests::two_records;
    use super::*;

    #[test]
    fn position_order_sorts_an_unsorted_store_and_keeps_a_sorted_one() {
        let mut s = VariantStore::new(vec!["a".into()]);
        let c1 = s.contig_id("1");
        let c2 = s.contig_id("2");
        for (c, p) in [(c2, 5), (c1, 300), (c1, 7)] {
            s.begin_record(c, p, b"", b"A", b"C", FLOAT_MISSING, &[])
                .unwrap();
            s.end_record();
        }
        assert_eq!(s.order(SortKey::Position, false), vec![2, 1, 0]);
        assert_eq!(two_records().order(SortKey::Position, false), vec![0, 1]);
    }

    #[test]
    fn sorts_by_qual_with_missing_last() {
        let s = two_records();
        assert_eq!(s.order(SortKey::Qual, true), vec![0, 1]);
        assert_eq!(s.order(SortKey::Qual, false), vec![0, 1]);
        assert_eq!(s.order(SortKey::Position, true), vec![1, 0]);
    }

    #[test]
    fn merged_orders_equal_one_store_with_ties_in_file_order() {
        // Two shards: QUALs 5, missing | 5, 9. One store's descending QUAL order is 9, then the
        // two 5s in file order, then the missing one.
        let shard = |quals: &[Option<f32>]| {
            let mut s = VariantStore::new(Vec::new());
            let c = s.contig_id("1");
            for (k, q) in quals.iter().enumerate() {
                let bits = q.map_or(FLOAT_MISSING, f32::to_bits);
                s.begin_record(c, k as u64 + 1, b"", b"A", b"C", bits, &[])
                    .unwrap();
                s.end_record();
            }
            s
        };
        let (a, b) = (shard(&[Some(5.0), None]), shard(&[Some(5.0), Some(9.0)]));
        let orders = [a.order(SortKey::Qual, true), b.order(SortKey::Qual, true)];
        let merged = merge_orders(&[&a, &b], &orders, SortKey::Qual, true, 10);
        assert_eq!(merged, vec![(1, 1), (0, 0), (1, 0), (0, 1)]);
        // A limit stops early.
        assert_eq!(
            merge_orders(&[&a, &b], &orders, SortKey::Qual, true, 1),
            vec![(1, 1)]
        );
    }
}
