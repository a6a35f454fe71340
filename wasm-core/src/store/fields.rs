//! The store's INFO and FORMAT fields ([`Fields`]): what the header declares of each
//! ([`Field`]: key, Number, Type, description) with its column of values, addressed by key in
//! first-seen order. Parsers resolve a key once per record and write through `slot`, which
//! checks the value's type against the declaration and refuses a second value in one row.

use std::collections::HashMap;

use super::column_bytes::ColumnBytes;
use super::{ColumnData, StoreError, ValueType};

/// Header metadata of one INFO or FORMAT field, and its values.
#[derive(Debug, Clone)]
pub struct Field {
    pub key: String,
    /// The header's `Number=` as written (`1`, `A`, `R`, `G`, `.`, …).
    pub number: String,
    pub ty: ValueType,
    pub description: String,
    /// Whether the header declared it (undeclared fields are read as String, as bcftools does).
    pub declared: bool,
    pub data: ColumnData,
}

/// A set of fields addressed by key, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    fields: Vec<Field>,
    index: HashMap<String, usize>,
}

impl Fields {
    /// Declares a field from the header.
    pub fn declare(&mut self, key: &str, number: &str, ty: ValueType, description: &str) {
        if self.index.contains_key(key) {
            return;
        }
        self.index.insert(key.to_string(), self.fields.len());
        self.fields.push(Field {
            key: key.to_string(),
            number: number.to_string(),
            ty,
            description: description.to_string(),
            declared: true,
            data: ColumnData::new(ty),
        });
    }

    /// The field's index, declaring an undeclared one as `String` on first sight.
    pub fn resolve(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        self.declare(key, ".", ValueType::String, "");
        let i = self.fields.len() - 1;
        self.fields[i].declared = false;
        i
    }

    pub fn get(&self, key: &str) -> Option<&Field> {
        self.index.get(key).map(|&i| &self.fields[i])
    }

    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The field at index `i` (from [`Fields::index_of`]).
    pub fn field(&self, i: usize) -> &Field {
        &self.fields[i]
    }

    pub fn key(&self, i: usize) -> &str {
        &self.fields[i].key
    }

    pub fn type_of(&self, i: usize) -> ValueType {
        self.fields[i].ty
    }

    pub fn iter(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub(super) fn at(&mut self, i: usize) -> &mut Field {
        &mut self.fields[i]
    }

    pub(super) fn pad_all(&mut self, rows: usize) {
        for f in &mut self.fields {
            f.data.pad_to(rows);
        }
    }

    pub(super) fn truncate(&mut self, rows: usize) {
        for f in &mut self.fields {
            f.data.truncate(rows);
        }
    }

    pub(super) fn column_bytes(&self, section: &str, out: &mut Vec<ColumnBytes>) {
        for f in &self.fields {
            out.push(ColumnBytes::new(
                format!("{section}/{}", f.key),
                f.data.heap_bytes(),
                f.data.layout_name(),
            ));
        }
    }

    pub(super) fn shrink_to_fit(&mut self) {
        for f in &mut self.fields {
            f.data.shrink_to_fit();
        }
    }

    /// Keeps every text column plain ([`super::VariantStore::keep_text_plain`]).
    pub(super) fn keep_text_plain(&mut self) {
        for f in &mut self.fields {
            if let ColumnData::Text(c) = &mut f.data {
                c.never_compress();
            }
        }
    }
}

/// Where a value goes: the field's index and the row's type-checked storage.
pub(super) fn slot<'a>(
    fields: &'a mut Fields,
    section: &'static str,
    unit: &'static str,
    i: usize,
    row: usize,
    given: ValueType,
) -> Result<&'a mut ColumnData, StoreError> {
    let f = fields.at(i);
    let compatible = f.ty == given
        || (matches!(f.ty, ValueType::String | ValueType::Character)
            && matches!(given, ValueType::String | ValueType::Character));
    if !compatible {
        return Err(StoreError::TypeMismatch {
            section,
            key: f.key.clone(),
            declared: f.ty,
            given,
        });
    }
    if f.data.len() > row {
        return Err(StoreError::DuplicateField {
            section,
            key: f.key.clone(),
            unit,
        });
    }
    f.data.pad_to(row);
    Ok(&mut f.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_fields_are_strings_found_by_key_in_first_seen_order() {
        let mut f = Fields::default();
        f.declare("DP", "1", ValueType::Integer, "depth");
        f.declare(
            "DP",
            "A",
            ValueType::Float,
            "a second declaration is ignored",
        );
        let xx = f.resolve("XX");
        assert_eq!((f.resolve("DP"), xx, f.len()), (0, 1, 2));
        assert_eq!(f.type_of(0), ValueType::Integer);
        assert!(f.field(0).declared);
        assert_eq!(
            (f.type_of(xx), f.field(xx).declared),
            (ValueType::String, false)
        );
        let keys: Vec<&str> = f.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["DP", "XX"]);
        assert_eq!(f.index_of("XX"), Some(1));
        assert!(f.get("NOPE").is_none());
    }

    #[test]
    fn a_slot_checks_the_type_and_refuses_a_second_value_in_a_row() {
        let mut f = Fields::default();
        f.declare("DP", "1", ValueType::Integer, "depth");
        f.declare("NOTE", "1", ValueType::String, "");
        let mismatch = slot(&mut f, "INFO", "record", 0, 0, ValueType::Float);
        assert_eq!(
            mismatch.err(),
            Some(StoreError::TypeMismatch {
                section: "INFO",
                key: "DP".into(),
                declared: ValueType::Integer,
                given: ValueType::Float,
            })
        );
        // Character and String share a column.
        assert!(slot(&mut f, "INFO", "record", 1, 0, ValueType::Character).is_ok());
        match slot(&mut f, "INFO", "record", 0, 2, ValueType::Integer).unwrap() {
            ColumnData::Integer(c) => c.push(&[7]),
            other => panic!("an Integer field has an integer column: {other:?}"),
        }
        let twice = slot(&mut f, "INFO", "record", 0, 2, ValueType::Integer);
        assert_eq!(
            twice.err(),
            Some(StoreError::DuplicateField {
                section: "INFO",
                key: "DP".into(),
                unit: "record",
            })
        );
        // The rows before were padded as absent.
        assert_eq!(f.field(0).data.len(), 3);
        assert!(!f.field(0).data.is_present(0) && f.field(0).data.is_present(2));
    }
}
