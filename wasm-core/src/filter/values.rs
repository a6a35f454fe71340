//! What the interpreter reads: [`Context`] (the store, the filter's annotation columns) and
//! the values of a [`Source`] for one record as [`Vals`] — site-level vectors, or a vector per
//! sample — with a subscript's selection applied ([`Sel`]: samples, elements, `[GT]`, indices
//! past the end read as missing). Missing numbers are NaN, missing strings empty.

use crate::store::genotype::{self, Allele};
use crate::store::{ColumnData, FLOAT_MISSING, INT_MISSING, VariantStore};
use crate::variant_type as vt;

use super::ir::{AnnColumn, Sel, Source};

/// Values, site-level (`offsets == None`) or per sample (`offsets` has `n_samples + 1` entries).
#[derive(Debug, Clone, Default)]
pub struct Vals<T> {
    pub data: Vec<T>,
    pub offsets: Option<Vec<usize>>,
}

impl<T> Vals<T> {
    pub(super) fn site(data: Vec<T>) -> Self {
        Self {
            data,
            offsets: None,
        }
    }

    pub(super) fn per_sample(&self) -> bool {
        self.offsets.is_some()
    }

    pub(super) fn sample(&self, s: usize) -> &[T] {
        match &self.offsets {
            Some(o) => &self.data[o[s]..o[s + 1]],
            None => &self.data,
        }
    }

    pub(super) fn n_samples(&self) -> usize {
        self.offsets.as_ref().map_or(0, |o| o.len() - 1)
    }
}

/// Everything the interpreter needs besides the node.
pub struct Context<'a> {
    pub store: &'a VariantStore,
    pub annotations: &'a [AnnColumn],
    pub n_samples: usize,
}

impl Context<'_> {
    pub(super) fn text_elems(text: &[u8]) -> Vec<Vec<u8>> {
        if text.is_empty() {
            return Vec::new();
        }
        text.split(|&c| c == b',').map(<[u8]>::to_vec).collect()
    }

    fn alleles(&self, rec: usize) -> impl Iterator<Item = Allele> + '_ {
        let ns = self.n_samples;
        (0..ns).flat_map(move |s| {
            let g = self.store.genotype(rec, s);
            let mut out: Vec<Allele> = Vec::new();
            match genotype::unpack(g) {
                Some((a, ploidy, _)) => out.extend_from_slice(&a[..ploidy]),
                None if g == genotype::OVERFLOW => {
                    for part in self.store.genotype_text(rec, s).split(['/', '|']) {
                        out.push(part.parse().ok());
                    }
                }
                None => {}
            }
            out
        })
    }

    fn allele_counts(&self, rec: usize) -> (Vec<f64>, f64) {
        let n_alt = self.store.alt_alleles(rec).count();
        let mut ac = vec![0.0; n_alt];
        let mut an = 0.0;
        for a in self.alleles(rec).flatten() {
            an += 1.0;
            if a > 0 && (a as usize) <= n_alt {
                ac[a as usize - 1] += 1.0;
            }
        }
        (ac, an)
    }

    fn missing_samples(&self, rec: usize) -> f64 {
        (0..self.n_samples)
            .filter(|&s| {
                let g = self.store.genotype(rec, s);
                // bcftools counts an unphased missing allele (`./.`, `0/.`, `.`) but not a
                // phased one (`1|.`: htslib stores it as a different value); no GT is not missing.
                match genotype::unpack(g) {
                    Some((a, ploidy, phased)) => {
                        a[0].is_none() || (ploidy == 2 && a[1].is_none() && !phased)
                    }
                    None => false,
                }
            })
            .count() as f64
    }

    /// Element indices a `[GT]` subscript selects in sample `s`: the distinct called alleles
    /// (Number=R) or ALT alleles (Number=A).
    fn gt_indices(&self, rec: usize, s: usize, number: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some((a, ploidy, _)) = genotype::unpack(self.store.genotype(rec, s)) {
            for x in a[..ploidy].iter().flatten() {
                let k = if number == "A" {
                    match (*x as usize).checked_sub(1) {
                        Some(k) => k,
                        None => continue,
                    }
                } else {
                    *x as usize
                };
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        out
    }

    /// Numeric values of a source.
    pub fn numbers(&self, src: &Source, sel: &Sel, rec: usize) -> Vals<f64> {
        let st = self.store;
        let pick = |v: Vec<f64>| -> Vals<f64> {
            let pad = sel.padding(v.len());
            let mut out: Vec<f64> = v
                .into_iter()
                .enumerate()
                .filter(|(k, _)| sel.elem_ok(*k))
                .map(|(_, x)| x)
                .collect();
            out.extend(std::iter::repeat_n(f64::NAN, pad));
            Vals::site(out)
        };
        match src {
            Source::Qual => pick(vec![st.qual(rec).map_or(f64::NAN, f64::from)]),
            Source::Pos => pick(vec![st.pos(rec) as f64]),
            Source::NAlt => pick(vec![st.alt_alleles(rec).count() as f64]),
            Source::NSamples => pick(vec![self.n_samples as f64]),
            Source::NMissing => pick(vec![self.missing_samples(rec)]),
            Source::FMissing => pick(vec![if self.n_samples == 0 {
                f64::NAN
            } else {
                self.missing_samples(rec) / self.n_samples as f64
            }]),
            Source::ILen => {
                let r = st.reference(rec);
                pick(
                    st.alt_alleles(rec)
                        .map(|a| vt::indel_length(r, a).map_or(f64::NAN, |d| d as f64))
                        .collect(),
                )
            }
            Source::Ac | Source::An | Source::Af | Source::Mac | Source::Maf => {
                let (ac, an) = self.allele_counts(rec);
                let v = match src {
                    Source::Ac => ac,
                    Source::An => vec![an],
                    Source::Af => ac.iter().map(|c| c / an).collect(),
                    Source::Mac => ac.iter().map(|&c| c.min(an - c)).collect(),
                    _ => ac.iter().map(|&c| c.min(an - c) / an).collect(),
                };
                pick(v)
            }
            Source::Info(f) => {
                let field = &st.info.field(*f).data;
                pick(column_numbers(field, rec))
            }
            Source::Format(f) => {
                let fld = st.format.field(*f);
                let field = &fld.data;
                let mut data = Vec::new();
                let mut offsets = Vec::with_capacity(self.n_samples + 1);
                offsets.push(0);
                for s in 0..self.n_samples {
                    if sel.sample_ok(s) {
                        let row = rec * self.n_samples + s;
                        let vals = column_numbers(field, row);
                        if sel.by_gt {
                            for k in self.gt_indices(rec, s, &fld.number) {
                                data.push(vals.get(k).copied().unwrap_or(f64::NAN));
                            }
                        } else {
                            let pad = sel.padding(vals.len());
                            data.extend(
                                vals.into_iter()
                                    .enumerate()
                                    .filter(|(k, _)| sel.elem_ok(*k))
                                    .map(|(_, x)| x),
                            );
                            data.extend(std::iter::repeat_n(f64::NAN, pad));
                        }
                    }
                    offsets.push(data.len());
                }
                Vals {
                    data,
                    offsets: Some(offsets),
                }
            }
            Source::Annotation(c) => {
                let col = &self.annotations[*c].column;
                pick(
                    col.values
                        .get(rec)
                        .iter()
                        .map(|&id| {
                            if id == 0 {
                                f64::NAN
                            } else {
                                col.dict[id as usize].parse().unwrap_or(f64::NAN)
                            }
                        })
                        .collect(),
                )
            }
            // String sources never reach here (compile checks types).
            _ => Vals::default(),
        }
    }

    /// String values of a source (vectors split on `,`; `FILTER` and `ID` on `;`).
    pub fn strings(&self, src: &Source, sel: &Sel, rec: usize) -> Vals<Vec<u8>> {
        let st = self.store;
        let pick = |v: Vec<Vec<u8>>| -> Vals<Vec<u8>> {
            let pad = sel.padding(v.len());
            let mut out: Vec<Vec<u8>> = v
                .into_iter()
                .enumerate()
                .filter(|(k, _)| sel.elem_ok(*k))
                .map(|(_, x)| x)
                .collect();
            out.extend(std::iter::repeat_n(Vec::new(), pad));
            Vals::site(out)
        };
        match src {
            Source::Chrom => pick(vec![st.chrom(rec).as_bytes().to_vec()]),
            Source::Id => {
                let id = st.id(rec);
                if id.is_empty() {
                    pick(Vec::new())
                } else {
                    pick(id.split(|&c| c == b';').map(<[u8]>::to_vec).collect())
                }
            }
            Source::Ref => pick(vec![st.reference(rec).to_vec()]),
            Source::Alt => pick(st.alt_alleles(rec).map(<[u8]>::to_vec).collect()),
            Source::Info(f) => {
                let field = &st.info.field(*f).data;
                match field {
                    ColumnData::Text(c) => pick(Self::text_elems(&c.get(rec))),
                    _ => Vals::default(),
                }
            }
            Source::Format(_) | Source::Gt => {
                let field = match src {
                    Source::Format(f) => Some(&st.format.field(*f).data),
                    _ => None,
                };
                let mut data = Vec::new();
                let mut offsets = vec![0];
                for s in 0..self.n_samples {
                    if sel.sample_ok(s) {
                        let row = rec * self.n_samples + s;
                        match field {
                            Some(ColumnData::Text(c)) if sel.by_gt => {
                                let vals = Self::text_elems(&c.get(row));
                                let number = match src {
                                    Source::Format(f) => st.format.field(*f).number.as_str(),
                                    _ => "R",
                                };
                                for k in self.gt_indices(rec, s, number) {
                                    data.push(vals.get(k).cloned().unwrap_or_default());
                                }
                            }
                            Some(ColumnData::Text(c)) => {
                                let vals = Self::text_elems(&c.get(row));
                                let pad = sel.padding(vals.len());
                                data.extend(
                                    vals.into_iter()
                                        .enumerate()
                                        .filter(|(k, _)| sel.elem_ok(*k))
                                        .map(|(_, x)| x),
                                );
                                data.extend(std::iter::repeat_n(Vec::new(), pad));
                            }
                            Some(_) => {}
                            None => {
                                if st.genotype(rec, s) != genotype::ABSENT {
                                    data.push(st.genotype_text(rec, s).into_bytes());
                                }
                            }
                        }
                    }
                    offsets.push(data.len());
                }
                Vals {
                    data,
                    offsets: Some(offsets),
                }
            }
            Source::Annotation(c) => {
                let col = &self.annotations[*c].column;
                pick(
                    col.values
                        .get(rec)
                        .iter()
                        .map(|&id| {
                            if id == 0 {
                                Vec::new()
                            } else {
                                col.dict[id as usize].as_bytes().to_vec()
                            }
                        })
                        .collect(),
                )
            }
            _ => Vals::default(),
        }
    }
}

/// Numbers of one row of a column (flags read as 1/0).
pub fn column_numbers(data: &ColumnData, row: usize) -> Vec<f64> {
    match data {
        ColumnData::Integer(c) => c.with(row, |values| {
            values
                .iter()
                .map(|&v| {
                    if v == INT_MISSING {
                        f64::NAN
                    } else {
                        f64::from(v)
                    }
                })
                .collect()
        }),
        ColumnData::Float(c) => c
            .get(row)
            .iter()
            .map(|&b| {
                if b == FLOAT_MISSING {
                    f64::NAN
                } else {
                    f64::from(f32::from_bits(b))
                }
            })
            .collect(),
        ColumnData::Flag(c) => vec![f64::from(u8::from(c.get(row)))],
        ColumnData::Text(_) => Vec::new(),
    }
}
