//! One [`Summary`] for a file read in shards (one worker each, in file order).
//!
//! A shard's summary counts its own records; the merged one is what a single read of the whole
//! file gives: records and per-contig counts summed, contigs in the order one store would have
//! given them ids (the header's first, then record-only contigs as the shards first name them),
//! warnings once each. Byte counts are sums: `bytes_read` includes the header each shard
//! re-reads; `uncompressed_bytes` is the file's text (the first shard counts the header).

use super::dataset::{ContigSummary, Summary};

impl Summary {
    /// The summary of the whole file from its shards' summaries, in file order. `None` when
    /// `parts` is empty.
    pub fn merged(parts: &[Summary]) -> Option<Summary> {
        let (first, rest) = parts.split_first()?;
        let mut out = first.clone();
        for part in rest {
            out.records += part.records;
            out.bytes_read += part.bytes_read;
            out.uncompressed_bytes += part.uncompressed_bytes;
            out.store_bytes += part.store_bytes;
            out.partial |= part.partial;
            out.scanned = match (out.scanned, part.scanned) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            };
            for contig in &part.contigs {
                match out.contigs.iter_mut().find(|c| c.name == contig.name) {
                    Some(known) => {
                        known.records += contig.records;
                        known.length = known.length.or(contig.length);
                    }
                    None => out.contigs.push(ContigSummary {
                        name: contig.name.clone(),
                        length: contig.length,
                        records: contig.records,
                    }),
                }
            }
            for warning in &part.warnings {
                if !out.warnings.contains(warning) {
                    out.warnings.push(warning.clone());
                }
            }
            if out.reference_build.is_none() {
                out.reference_build.clone_from(&part.reference_build);
            }
        }
        Some(out)
    }

    /// Where each of this shard's contig ids sits in `merged.contigs` (which [`Self::merged`]
    /// made from it and its sibling shards).
    pub fn contig_ranks(&self, merged: &Summary) -> Vec<u32> {
        self.contigs
            .iter()
            .map(|c| {
                merged
                    .contigs
                    .iter()
                    .position(|m| m.name == c.name)
                    .unwrap_or(merged.contigs.len()) as u32
            })
            .collect()
    }
}
