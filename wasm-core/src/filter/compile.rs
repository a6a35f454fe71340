//! Name resolution and type checking: [`Ast`] → [`Node`] (the IR of `ir`), the step between
//! parsing and evaluation.
//!
//! Names resolve against the store's header like bcftools: columns and computed variables
//! (case-insensitive), then INFO and FORMAT tags (case-sensitive; a bare name defined in both is
//! ambiguous), then the allele counts computed from genotypes, then annotation sub-fields
//! (`CSQ/SYMBOL`, or bare `SYMBOL` when one annotation defines it). Subscripts are read by
//! `subscript`. Where a condition belongs, a value compiles to one that never holds, as bcftools
//! treats it, with a warning ([`Compiler::condition`]). Every error carries a
//! [`FilterErrorKind`](super::FilterErrorKind), a span and, where it helps, a hint.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::ir::{
    AnnColumn, Arith, Cmp, GtClass, Logic, Node, Reduce, Sel, Source, StrTest, TYPE_REF,
};
use super::parse::{Ast, AstKind, BinOp};

mod subscript;

use super::regex::Regex;
use super::{FileSource, FilterError, FilterErrorKind as K, Span};
use crate::annotation::{self, SubfieldType};
use crate::store::{ValueType, VariantStore};

/// The static type of a compiled node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Num,
    Str,
    Bool,
}

/// What a name stands for before it meets an operator.
enum Operand {
    Value(Node, Ty),
    Filter,
    Type,
    Gt(Sel),
    File(HashSet<Vec<u8>>),
    Literal(String),
}

/// Annotation sub-fields already extracted from a store, by (tag, sub-field index), with their
/// heap size: extraction scans every record's CSQ text, so it is done once per store, not once
/// per compile.
pub type ExtractedColumns = HashMap<(String, usize), (Arc<annotation::Column>, usize)>;

pub struct Compiler<'a> {
    pub store: &'a VariantStore,
    pub files: &'a dyn FileSource,
    pub schemas: Vec<annotation::Schema>,
    pub annotations: Vec<AnnColumn>,
    /// Bare values compiled as conditions ([`Compiler::condition`]).
    pub warnings: Vec<FilterError>,
    ann_keys: Vec<(usize, usize)>,
    extracted: &'a mut ExtractedColumns,
}

fn err(kind: K, message: impl Into<String>, span: Span, hint: Option<String>) -> FilterError {
    FilterError::new(kind, message, span, hint)
}

const FUNCTIONS: &str = "MIN MAX AVG MEAN MEDIAN SUM STDEV, SMPL_MIN … (or sMIN …), ABS, STRLEN, COUNT, N_PASS, F_PASS, BINOM, PHRED";

impl<'a> Compiler<'a> {
    pub fn new(
        store: &'a VariantStore,
        files: &'a dyn FileSource,
        extracted: &'a mut ExtractedColumns,
    ) -> Self {
        let has_annotation = store.info.iter().any(|f| {
            f.description.contains("Format:") || f.description.contains("Functional annotations")
        });
        Self {
            store,
            files,
            schemas: if has_annotation {
                annotation::schemas(store)
            } else {
                Vec::new()
            },
            annotations: Vec::new(),
            warnings: Vec::new(),
            ann_keys: Vec::new(),
            extracted,
        }
    }

    /// Annotation tags usable as `TAG/subfield` prefixes.
    pub fn prefixes(&self) -> Vec<String> {
        self.schemas.iter().map(|s| s.tag.clone()).collect()
    }

    /// Compiles a condition: the whole expression, an operand of `&&` `||` `&` `|`, the
    /// argument of `N_PASS`/`F_PASS`. bcftools accepts a value there (`DB`, `INFO/DP`,
    /// `MAX(FMT/DP)`, a quoted string) and never sets its `pass_site`: it compiles to a
    /// condition that never holds ([`Node::Bare`]), with a warning that says how to test it.
    pub fn condition(&mut self, ast: &Ast) -> Result<Node, FilterError> {
        let node = match &ast.kind {
            AstKind::Str(_) => Node::Num(f64::NAN),
            _ => match self.expr(ast)? {
                (node, Ty::Bool) => return Ok(node),
                (node, _) => node,
            },
        };
        self.warnings.push(err(
            K::NotACondition,
            "a value alone is a condition that never holds (as in bcftools)",
            ast.span,
            Some(self.value_hint(ast)),
        ));
        Ok(Node::Bare(Box::new(node)))
    }

    /// How to turn the value `ast` into the condition that was probably meant.
    fn value_hint(&self, ast: &Ast) -> String {
        match &ast.kind {
            AstKind::Name { name, .. } => {
                let flag = self
                    .store
                    .info
                    .get(name.trim_start_matches("INFO/"))
                    .is_some_and(|f| f.ty == ValueType::Flag);
                if flag {
                    format!("test a flag with {name}=1 (set) or {name}=0 (not set)")
                } else {
                    format!("compare it with a value, e.g. {name}>10 or {name}=\".\" (missing)")
                }
            }
            _ => "compare it with a value, e.g. … > 10".to_string(),
        }
    }

    fn expr(&mut self, ast: &Ast) -> Result<(Node, Ty), FilterError> {
        match &ast.kind {
            AstKind::Number(v) => Ok((Node::Num(*v), Ty::Num)),
            AstKind::Str(_) | AstKind::File(_) => Err(err(
                K::TypeMismatch,
                "a string or file list can only be compared with a tag",
                ast.span,
                Some("e.g. INFO/GENE=\"BRCA1\"".into()),
            )),
            AstKind::Name { .. } => match self.operand(ast)? {
                Operand::Value(n, t) => Ok((n, t)),
                Operand::Gt(_) => Err(err(
                    K::TypeMismatch,
                    "GT can only be compared with a string",
                    ast.span,
                    Some("e.g. GT=\"het\", GT=\"alt\", GT=\"0/1\"".into()),
                )),
                _ => Err(err(
                    K::TypeMismatch,
                    "this column can only be compared with a string",
                    ast.span,
                    Some("e.g. FILTER=\"PASS\" or TYPE=\"snp\"".into()),
                )),
            },
            AstKind::Neg(a) => {
                let n = self.numeric(a)?;
                Ok((Node::Neg(Box::new(n)), Ty::Num))
            }
            AstKind::Not(a) => {
                let (n, t) = self.expr(a)?;
                if t != Ty::Bool {
                    // bcftools has no `!` at all; of a value it would mean "always".
                    return Err(err(
                        K::NotACondition,
                        "`!` negates a condition, not a value",
                        a.span,
                        Some(self.value_hint(a)),
                    ));
                }
                Ok((Node::Not(Box::new(n)), Ty::Bool))
            }
            AstKind::Call { name, args } => self.call(name, args, ast.span),
            AstKind::Binary(op, l, r) => self.binary(*op, l, r, ast.span),
        }
    }

    fn numeric(&mut self, ast: &Ast) -> Result<Node, FilterError> {
        let (n, t) = self.expr(ast)?;
        match t {
            Ty::Num => Ok(n),
            Ty::Bool => Err(err(
                K::TypeMismatch,
                "a condition cannot be used as a number here",
                ast.span,
                Some("count passing samples with N_PASS(...) or COUNT(...)".into()),
            )),
            Ty::Str => {
                if let Node::Field(Source::Annotation(_), _) = n {
                    // Annotation sub-fields are text; numbers in them compare as numbers.
                    return Ok(n);
                }
                Err(err(
                    K::TypeMismatch,
                    "this is text, not a number",
                    ast.span,
                    Some("compare text with = or ~ and a quoted string".into()),
                ))
            }
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        l: &Ast,
        r: &Ast,
        span: Span,
    ) -> Result<(Node, Ty), FilterError> {
        if op.is_logic() {
            let a = self.condition(l)?;
            let b = self.condition(r)?;
            let lop = match op {
                BinOp::And => Logic::And,
                BinOp::AndVec => Logic::AndVec,
                BinOp::Or => Logic::Or,
                _ => Logic::OrVec,
            };
            return Ok((Node::Logic(lop, Box::new(a), Box::new(b)), Ty::Bool));
        }
        if op.is_comparison() {
            return Ok((self.comparison(op, l, r, span)?, Ty::Bool));
        }
        let a = self.numeric(l)?;
        let b = self.numeric(r)?;
        let aop = match op {
            BinOp::Add => Arith::Add,
            BinOp::Sub => Arith::Sub,
            BinOp::Mul => Arith::Mul,
            BinOp::Div => Arith::Div,
            _ => Arith::Mod,
        };
        Ok((Node::Arith(aop, Box::new(a), Box::new(b)), Ty::Num))
    }

    fn side(&mut self, ast: &Ast) -> Result<Operand, FilterError> {
        match &ast.kind {
            AstKind::Str(s) => Ok(Operand::Literal(s.clone())),
            AstKind::File(f) => {
                let text = self
                    .files
                    .read(f)
                    .map_err(|m| err(K::File, m, ast.span, None))?;
                Ok(Operand::File(
                    text.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| l.as_bytes().to_vec())
                        .collect(),
                ))
            }
            AstKind::Name { .. } => self.operand(ast),
            _ => {
                let (n, t) = self.expr(ast)?;
                Ok(Operand::Value(n, t))
            }
        }
    }

    fn comparison(&mut self, op: BinOp, l: &Ast, r: &Ast, span: Span) -> Result<Node, FilterError> {
        let mut a = self.side(l)?;
        let mut b = self.side(r)?;
        let (mut lspan, mut rspan) = (l.span, r.span);
        let mut op = op;
        // Put the literal (or file list) on the right: `"EE"=FGS[...]`, `6=FGI[...]`.
        let literal_left = matches!(a, Operand::Literal(_) | Operand::File(_))
            || matches!(a, Operand::Value(Node::Num(_), _))
                && !matches!(b, Operand::Value(Node::Num(_), _));
        if literal_left {
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut lspan, &mut rspan);
            op = match op {
                BinOp::Lt => BinOp::Gt,
                BinOp::Le => BinOp::Ge,
                BinOp::Gt => BinOp::Lt,
                BinOp::Ge => BinOp::Le,
                o => o,
            };
        }
        let is_eq = matches!(op, BinOp::Eq | BinOp::Ne);
        let is_re = matches!(op, BinOp::Match | BinOp::NoMatch);
        let negate = matches!(op, BinOp::Ne | BinOp::NoMatch);
        let string_op_only = |what: &str| {
            err(
                K::TypeMismatch,
                format!("{what} can only be compared with =, !=, ~ or !~"),
                span,
                None,
            )
        };
        let regex = |s: &str, sp: Span| {
            Regex::new(s).map_err(|m| {
                err(
                    K::Regex,
                    format!("invalid regular expression: {m}"),
                    sp,
                    None,
                )
            })
        };
        match (a, b) {
            (Operand::Filter, Operand::Literal(s)) => {
                if !is_eq && !is_re {
                    return Err(string_op_only("FILTER"));
                }
                let ids = if s == "." {
                    Vec::new()
                } else {
                    s.split(';')
                        .map(|n| {
                            self.store
                                .filter_names()
                                .iter()
                                .position(|x| x == n)
                                .and_then(|p| u16::try_from(p).ok())
                        })
                        .collect()
                };
                Ok(Node::Filter {
                    ids,
                    subset: is_re,
                    negate,
                })
            }
            (Operand::Type, Operand::Literal(s)) => {
                if !is_eq && !is_re {
                    return Err(string_op_only("TYPE"));
                }
                let mut mask = 0;
                for t in s.split([',', '|']) {
                    let bit = crate::variant_type::by_name(t.trim()).map(|b| {
                        if b == crate::variant_type::REF {
                            TYPE_REF
                        } else {
                            b
                        }
                    });
                    mask |= bit.ok_or_else(|| {
                        err(
                            K::UnknownValue,
                            format!("{t:?} is not a variant type"),
                            rspan,
                            Some("types: snp, mnp, indel, ref, bnd, other, overlap".into()),
                        )
                    })?;
                }
                Ok(Node::Type {
                    mask,
                    any: is_re,
                    negate,
                })
            }
            (Operand::Gt(sel), Operand::Literal(s)) => {
                if is_re {
                    return Ok(Node::CmpStr {
                        node: Box::new(Node::Field(Source::Gt, sel)),
                        test: StrTest::Regex(regex(&s, rspan)?),
                        negate,
                    });
                }
                if !is_eq {
                    return Err(string_op_only("GT"));
                }
                let class = match s.to_ascii_lowercase().as_str() {
                    "hom" => Some(GtClass::Hom),
                    "het" => Some(GtClass::Het),
                    "hap" => Some(GtClass::Hap),
                    "mis" | "." => Some(GtClass::Mis),
                    "ref" => Some(GtClass::Ref),
                    "alt" => Some(GtClass::Alt),
                    _ => match s.as_str() {
                        "RR" => Some(GtClass::RR),
                        "RA" | "AR" => Some(GtClass::RA),
                        "AA" => Some(GtClass::AA),
                        "Aa" | "aA" => Some(GtClass::AaDiff),
                        "R" => Some(GtClass::HapRef),
                        "A" => Some(GtClass::HapAlt),
                        _ => None,
                    },
                };
                Ok(match class {
                    Some(c) => Node::GtClass(c, negate, sel),
                    None => Node::CmpStr {
                        node: Box::new(Node::Field(Source::Gt, sel)),
                        test: StrTest::Eq(s.into_bytes()),
                        negate,
                    },
                })
            }
            (Operand::Gt(sel), Operand::File(set)) => {
                if !is_eq {
                    return Err(string_op_only("a file list"));
                }
                Ok(Node::CmpStr {
                    node: Box::new(Node::Field(Source::Gt, sel)),
                    test: StrTest::Set(set),
                    negate,
                })
            }
            (Operand::Value(n, ty), Operand::Literal(s)) => {
                if s == "." && is_eq {
                    return Ok(Node::IsMissing(Box::new(n), !negate));
                }
                if ty == Ty::Bool {
                    return Err(err(
                        K::TypeMismatch,
                        "a condition cannot be compared with a string",
                        lspan,
                        None,
                    ));
                }
                if is_re {
                    return Ok(Node::CmpStr {
                        node: Box::new(n),
                        test: StrTest::Regex(regex(&s, rspan)?),
                        negate,
                    });
                }
                if ty == Ty::Num {
                    // `QUAL=="."` is handled above; a number compared with text is a mistake.
                    if let Ok(v) = s.parse::<f64>()
                        && matches!(n, Node::Field(Source::Annotation(_), _))
                    {
                        return Ok(Node::CmpNum(
                            cmp_of(op),
                            Box::new(n),
                            Box::new(Node::Num(v)),
                        ));
                    }
                    return Err(err(
                        K::TypeMismatch,
                        "cannot compare a number with a string",
                        rspan,
                        Some("remove the quotes to compare numbers".into()),
                    ));
                }
                if !is_eq {
                    return Err(err(
                        K::TypeMismatch,
                        "text can only be compared with =, !=, ~ or !~",
                        span,
                        None,
                    ));
                }
                Ok(Node::CmpStr {
                    node: Box::new(n),
                    test: StrTest::Eq(s.into_bytes()),
                    negate,
                })
            }
            (Operand::Value(n, ty), Operand::File(set)) => {
                if !is_eq || ty == Ty::Bool {
                    return Err(err(
                        K::TypeMismatch,
                        "a file list can only be compared with = or !=",
                        span,
                        None,
                    ));
                }
                Ok(Node::CmpStr {
                    node: Box::new(n),
                    test: StrTest::Set(set),
                    negate,
                })
            }
            (Operand::Value(x, tx), Operand::Value(y, ty)) => {
                if tx == Ty::Bool || ty == Ty::Bool {
                    let sp = if tx == Ty::Bool { lspan } else { rspan };
                    return Err(err(
                        K::TypeMismatch,
                        "a condition cannot be compared",
                        sp,
                        Some("join conditions with && or ||".into()),
                    ));
                }
                if is_re {
                    return Err(err(
                        K::TypeMismatch,
                        "~ and !~ need a quoted pattern on the right",
                        rspan,
                        None,
                    ));
                }
                let numeric = |n: &Node, t: Ty| {
                    t == Ty::Num || matches!(n, Node::Field(Source::Annotation(_), _))
                };
                if !numeric(&x, tx) || !numeric(&y, ty) {
                    let sp = if numeric(&x, tx) { rspan } else { lspan };
                    return Err(err(
                        K::TypeMismatch,
                        "cannot compare text with a number",
                        sp,
                        Some("quote the value to compare text, e.g. CHROM=\"1\"".into()),
                    ));
                }
                // Values stored as f32 (QUAL, Float tags) compare with the constant rounded to
                // f32, so `QUAL==59.2` holds and `AF>0.1` does not for AF=0.1 (as bcftools).
                let y = match (&x, y) {
                    (Node::Field(src, _), Node::Num(c)) if self.is_f32(src) => {
                        Node::Num(f64::from(c as f32))
                    }
                    (_, y) => y,
                };
                Ok(Node::CmpNum(cmp_of(op), Box::new(x), Box::new(y)))
            }
            (_, _) => Err(err(
                K::TypeMismatch,
                "these two sides cannot be compared",
                span,
                Some("compare a tag with a value, e.g. FILTER=\"PASS\", GT=\"het\", DP>10".into()),
            )),
        }
    }

    fn is_f32(&self, src: &Source) -> bool {
        match src {
            Source::Qual => true,
            Source::Info(i) => self.store.info.field(*i).ty == ValueType::Float,
            Source::Format(i) => self.store.format.field(*i).ty == ValueType::Float,
            _ => false,
        }
    }

    /// Resolves a name (with its subscript).
    fn operand(&mut self, ast: &Ast) -> Result<Operand, FilterError> {
        let AstKind::Name { name, subscript } = &ast.kind else {
            unreachable!("operand() is called on names")
        };
        let span = ast.span;
        let sub = subscript.as_ref();
        let (builtin, name) = match name.strip_prefix('%') {
            Some(n) => (true, n.to_string()),
            None => (false, name.clone()),
        };
        let (section, key) = if let Some(k) = name.strip_prefix("INFO/") {
            (Some("INFO"), k)
        } else if let Some(k) = name
            .strip_prefix("FORMAT/")
            .or_else(|| name.strip_prefix("FMT/"))
        {
            (Some("FORMAT"), k)
        } else {
            (None, name.as_str())
        };
        if section.is_none() {
            if let Some((tag, field)) = key.split_once('/')
                && let Some(si) = self.schemas.iter().position(|s| s.tag == tag)
            {
                return self.annotation_field(si, field, sub, span);
            }
            let upper = key.to_ascii_uppercase();
            let site = |src: Source, ty: Ty| -> Result<Operand, FilterError> {
                let sel = subscript::site_sel(sub)?;
                Ok(Operand::Value(Node::Field(src, sel), ty))
            };
            match upper.as_str() {
                "QUAL" => return site(Source::Qual, Ty::Num),
                "POS" => return site(Source::Pos, Ty::Num),
                "CHROM" => return site(Source::Chrom, Ty::Str),
                "ID" => return site(Source::Id, Ty::Str),
                "REF" => return site(Source::Ref, Ty::Str),
                "ALT" => return site(Source::Alt, Ty::Str),
                "N_ALT" => return site(Source::NAlt, Ty::Num),
                "N_SAMPLES" => return site(Source::NSamples, Ty::Num),
                "N_MISSING" => return site(Source::NMissing, Ty::Num),
                "F_MISSING" => return site(Source::FMissing, Ty::Num),
                // A declared INFO/ILEN wins over the computed one (bcftools does the same).
                "ILEN" if builtin || self.store.info.get(key).is_none() => {
                    return site(Source::ILen, Ty::Num);
                }
                "FILTER" if sub.is_none() => return Ok(Operand::Filter),
                // TYPE is always the variant class; a tag named TYPE is INFO/TYPE.
                "TYPE" if sub.is_none() => {
                    return Ok(Operand::Type);
                }
                _ => {}
            }
            if key == "GT" && self.store.info.get("GT").is_none() {
                return self.gt(sub, span);
            }
        }
        let in_info = section != Some("FORMAT") && self.store.info.get(key).is_some();
        let in_format = section != Some("INFO") && self.store.format.get(key).is_some();
        if section == Some("FORMAT") && key == "GT" {
            return self.gt(sub, span);
        }
        if in_info && in_format {
            return Err(err(
                K::AmbiguousField,
                format!("{key} is both an INFO and a FORMAT field"),
                span,
                Some(format!("write INFO/{key} or FMT/{key}")),
            ));
        }
        if in_info {
            let i = self.store.info.index_of(key).expect("checked above");
            let f = self.store.info.field(i);
            let ty = match f.ty {
                ValueType::String | ValueType::Character => Ty::Str,
                _ => Ty::Num,
            };
            return Ok(Operand::Value(
                Node::Field(Source::Info(i), subscript::site_sel(sub)?),
                ty,
            ));
        }
        if in_format {
            let i = self.store.format.index_of(key).expect("checked above");
            let f = self.store.format.field(i);
            let ty = match f.ty {
                ValueType::String | ValueType::Character => Ty::Str,
                _ => Ty::Num,
            };
            let single = f.number == "1";
            let sel = subscript::format_sel(self.store, self.files, sub, single, span)?;
            return Ok(Operand::Value(Node::Field(Source::Format(i), sel), ty));
        }
        if section != Some("FORMAT") {
            let computed = match key.to_ascii_uppercase().as_str() {
                "AC" => Some(Source::Ac),
                "AN" => Some(Source::An),
                "AF" => Some(Source::Af),
                "MAC" => Some(Source::Mac),
                "MAF" => Some(Source::Maf),
                _ => None,
            };
            if let Some(src) = computed {
                return Ok(Operand::Value(
                    Node::Field(src, subscript::site_sel(sub)?),
                    Ty::Num,
                ));
            }
        }
        if section.is_none() {
            let owners: Vec<usize> = (0..self.schemas.len())
                .filter(|&s| self.schemas[s].index_of(key).is_some())
                .collect();
            if let [si] = owners[..] {
                return self.annotation_field(si, key, sub, span);
            }
        }
        Err(self.unknown(section, key, span))
    }

    fn gt(&self, sub: Option<&(String, Span)>, span: Span) -> Result<Operand, FilterError> {
        if self.store.format.get("GT").is_none() {
            return Err(err(
                K::UnknownField,
                "this file has no genotypes (no FORMAT/GT in its header)",
                span,
                None,
            ));
        }
        Ok(Operand::Gt(subscript::format_sel(
            self.store, self.files, sub, true, span,
        )?))
    }

    fn unknown(&self, section: Option<&str>, key: &str, span: Span) -> FilterError {
        let mut names: Vec<String> = Vec::new();
        if section != Some("FORMAT") {
            names.extend(self.store.info.iter().map(|f| f.key.clone()));
        }
        if section != Some("INFO") {
            names.extend(self.store.format.iter().map(|f| f.key.clone()));
        }
        let close = names.iter().find(|n| n.eq_ignore_ascii_case(key)).cloned();
        let what = match section {
            Some(s) => format!("no {s} field named {key} in this file"),
            None => format!("no column, INFO or FORMAT field named {key} in this file"),
        };
        let hint = match close {
            Some(c) => format!("tag names are case-sensitive: did you mean {c}?"),
            None if names.is_empty() => "this file declares no INFO or FORMAT fields".to_string(),
            None => {
                let mut shown: Vec<&str> = names.iter().map(String::as_str).take(12).collect();
                if names.len() > 12 {
                    shown.push("…");
                }
                format!("fields in this file: {}", shown.join(", "))
            }
        };
        err(K::UnknownField, what, span, Some(hint))
    }

    fn annotation_field(
        &mut self,
        si: usize,
        field: &str,
        sub: Option<&(String, Span)>,
        span: Span,
    ) -> Result<Operand, FilterError> {
        let schema = &self.schemas[si];
        let Some(k) = schema.index_of(field) else {
            let names: Vec<&str> = schema
                .subfields
                .iter()
                .map(|s| s.name.as_str())
                .take(15)
                .collect();
            return Err(err(
                K::UnknownField,
                format!("{} has no sub-field {field}", schema.tag),
                span,
                Some(format!("sub-fields: {}", names.join(", "))),
            ));
        };
        let numeric = matches!(
            schema.subfields[k].ty,
            SubfieldType::Integer | SubfieldType::Float
        );
        let slot = match self.ann_keys.iter().position(|&x| x == (si, k)) {
            Some(p) => p,
            None => {
                let (column, _) = self
                    .extracted
                    .entry((schema.tag.clone(), k))
                    .or_insert_with(|| {
                        let c = annotation::Column::extract(self.store, schema, k);
                        let bytes = c.values.heap_bytes()
                            + c.dict.iter().map(|d| d.capacity() + 24).sum::<usize>();
                        (Arc::new(c), bytes)
                    });
                let column = Arc::clone(column);
                self.annotations.push(AnnColumn { column, numeric });
                self.ann_keys.push((si, k));
                self.annotations.len() - 1
            }
        };
        let sel = subscript::site_sel(sub)?;
        Ok(Operand::Value(
            Node::Field(Source::Annotation(slot), sel),
            if numeric { Ty::Num } else { Ty::Str },
        ))
    }

    fn call(&mut self, name: &str, args: &[Ast], span: Span) -> Result<(Node, Ty), FilterError> {
        let upper = name.to_ascii_uppercase();
        let arity = |n: usize| -> Result<(), FilterError> {
            if args.len() != n {
                return Err(err(
                    K::Arity,
                    format!(
                        "{name}() takes {n} argument{}",
                        if n == 1 { "" } else { "s" }
                    ),
                    span,
                    None,
                ));
            }
            Ok(())
        };
        let reduce_of = |s: &str| match s {
            "MIN" => Some(Reduce::Min),
            "MAX" => Some(Reduce::Max),
            "AVG" | "MEAN" => Some(Reduce::Avg),
            "MEDIAN" => Some(Reduce::Median),
            "SUM" => Some(Reduce::Sum),
            "STDEV" => Some(Reduce::Stdev),
            "COUNT" => Some(Reduce::Count),
            _ => None,
        };
        if let Some(r) = reduce_of(&upper).filter(|r| *r != Reduce::Count) {
            arity(1)?;
            return Ok((
                Node::Reduce(r, false, Box::new(self.numeric(&args[0])?)),
                Ty::Num,
            ));
        }
        let per_sample = upper.strip_prefix("SMPL_").or_else(|| {
            name.strip_prefix('s')
                .filter(|_| name.len() > 1 && name.as_bytes()[1].is_ascii_uppercase())
        });
        if let Some(r) = per_sample.and_then(|s| reduce_of(&s.to_ascii_uppercase())) {
            arity(1)?;
            return Ok((
                Node::Reduce(r, true, Box::new(self.numeric(&args[0])?)),
                Ty::Num,
            ));
        }
        match upper.as_str() {
            "ABS" => {
                arity(1)?;
                Ok((Node::Abs(Box::new(self.numeric(&args[0])?)), Ty::Num))
            }
            "PHRED" => {
                arity(1)?;
                Ok((Node::Phred(Box::new(self.numeric(&args[0])?)), Ty::Num))
            }
            "STRLEN" => {
                arity(1)?;
                let (n, t) = self.expr(&args[0])?;
                if t != Ty::Str {
                    return Err(err(
                        K::TypeMismatch,
                        "STRLEN() takes text",
                        args[0].span,
                        None,
                    ));
                }
                Ok((Node::Strlen(Box::new(n)), Ty::Num))
            }
            "COUNT" => {
                arity(1)?;
                let (n, _) = match self.side(&args[0])? {
                    Operand::Value(n, t) => (n, t),
                    Operand::Gt(sel) => (Node::Field(Source::Gt, sel), Ty::Str),
                    _ => {
                        return Err(err(
                            K::TypeMismatch,
                            "COUNT() takes a tag or a condition",
                            args[0].span,
                            None,
                        ));
                    }
                };
                Ok((Node::Count(Box::new(n)), Ty::Num))
            }
            "N_PASS" | "F_PASS" => {
                arity(1)?;
                let b = self.condition(&args[0])?;
                Ok((Node::Pass(upper == "F_PASS", Box::new(b)), Ty::Num))
            }
            "BINOM" => {
                if args.is_empty() || args.len() > 2 {
                    return Err(err(
                        K::Arity,
                        "binom() takes FMT/AD, or two counts",
                        span,
                        None,
                    ));
                }
                let nodes = args
                    .iter()
                    .map(|a| self.numeric(a))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((Node::Binom(nodes), Ty::Num))
            }
            _ => Err(err(
                K::UnknownFunction,
                format!("unknown function {name}()"),
                span,
                Some(format!("functions: {FUNCTIONS}")),
            )),
        }
    }
}

fn cmp_of(op: BinOp) -> Cmp {
    match op {
        BinOp::Eq => Cmp::Eq,
        BinOp::Ne => Cmp::Ne,
        BinOp::Lt => Cmp::Lt,
        BinOp::Le => Cmp::Le,
        BinOp::Gt => Cmp::Gt,
        _ => Cmp::Ge,
    }
}
