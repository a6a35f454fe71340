//! Cutting annotation text into entries and sub-fields, decoding values, and interning them.
//!
//! An annotation INFO value is a list of entries (one per transcript or feature) separated by
//! `,`; each entry is a list of sub-fields separated by `|`. Legacy SnpEff `EFF` entries are
//! `EFFECT(f1|f2|…)`: the effect is sub-field 0 and the parenthesised list follows it.
//! Everything here works on byte slices of the store's INFO text and allocates only when a value
//! is new to a dictionary or needs percent-decoding.

use std::borrow::Cow;

/// The entries of one record's annotation text; none for an absent or `.` value.
pub(crate) fn entries(text: &[u8]) -> Entries<'_> {
    let absent = text.is_empty() || text == b".";
    Entries {
        rest: (!absent).then_some(text),
    }
}

/// Iterator over `,`-separated entries.
pub(crate) struct Entries<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Entries<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match find(rest, 0, b',') {
            Some(k) => {
                self.rest = Some(&rest[k + 1..]);
                Some(&rest[..k])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// The sub-fields of one entry, in schema order.
pub(crate) struct Fields<'a> {
    head: Option<&'a [u8]>,
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if let Some(h) = self.head.take() {
            return Some(h);
        }
        let rest = self.rest?;
        match find(rest, 0, b'|') {
            Some(k) => {
                self.rest = Some(&rest[k + 1..]);
                Some(&rest[..k])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Splits an entry into sub-fields; `legacy_eff` reads `EFFECT(a|b|…)`.
pub(crate) fn fields(entry: &[u8], legacy_eff: bool) -> Fields<'_> {
    if legacy_eff && let Some(open) = entry.iter().position(|&b| b == b'(') {
        let body = &entry[open + 1..];
        let body = match body.iter().rposition(|&b| b == b')') {
            Some(close) => &body[..close],
            None => body,
        };
        return Fields {
            head: Some(&entry[..open]),
            rest: Some(body),
        };
    }
    Fields {
        head: None,
        rest: Some(entry),
    }
}

/// Calls `f` with sub-field `index` of every entry of `text`, in order (`""` where an entry is
/// shorter) — what `entries(text).map(|e| fields(e, legacy).nth(index))` gives, in one forward
/// scan that skips the rest of each entry with a word-at-a-time search.
pub(crate) fn for_each_value(text: &[u8], index: usize, legacy: bool, mut f: impl FnMut(&[u8])) {
    if legacy {
        for e in entries(text) {
            f(fields(e, true).nth(index).unwrap_or(b""));
        }
        return;
    }
    if text.is_empty() || text == b"." {
        return;
    }
    let mut start = 0;
    'entries: loop {
        let mut pos = start;
        let mut field = 0;
        loop {
            let delim = find2(text, pos, b'|', b',');
            if field == index {
                let end = delim.unwrap_or(text.len());
                f(&text[pos..end]);
                let next = match delim {
                    Some(d) if text[d] == b',' => Some(d),
                    Some(d) => find(text, d + 1, b','),
                    None => None,
                };
                match next {
                    Some(c) => {
                        start = c + 1;
                        continue 'entries;
                    }
                    None => return,
                }
            }
            match delim {
                Some(d) if text[d] == b'|' => {
                    field += 1;
                    pos = d + 1;
                }
                Some(d) => {
                    f(b"");
                    start = d + 1;
                    continue 'entries;
                }
                None => {
                    f(b"");
                    return;
                }
            }
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each zero byte of `x`. Bytes above a zero byte may be flagged falsely
/// (borrow), so only the lowest flag is exact — the one the searches below use.
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

fn word(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Position of the first `a` in `s[from..]`, eight bytes at a time (INFO text is long).
pub(crate) fn find(s: &[u8], from: usize, a: u8) -> Option<usize> {
    let ra = LO * u64::from(a);
    let mut i = from;
    while i + 8 <= s.len() {
        let m = zero_bytes(word(s, i) ^ ra);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?.iter().position(|&c| c == a).map(|k| i + k)
}

/// Position of the first `a` or `b` in `s[from..]`.
fn find2(s: &[u8], from: usize, a: u8, b: u8) -> Option<usize> {
    let (ra, rb) = (LO * u64::from(a), LO * u64::from(b));
    let mut i = from;
    while i + 8 <= s.len() {
        let x = word(s, i);
        let m = zero_bytes(x ^ ra) | zero_bytes(x ^ rb);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?
        .iter()
        .position(|&c| c == a || c == b)
        .map(|k| i + k)
}

/// The sub-fields at `want` (schema indexes) of one entry, empty where the entry is shorter.
pub(crate) fn pick<'a, const N: usize>(
    entry: &'a [u8],
    legacy_eff: bool,
    want: &[Option<usize>; N],
) -> [&'a [u8]; N] {
    let mut out: [&[u8]; N] = [b""; N];
    let Some(last) = want.iter().flatten().max().copied() else {
        return out;
    };
    for (j, value) in fields(entry, legacy_eff).enumerate().take(last + 1) {
        for (k, w) in want.iter().enumerate() {
            if *w == Some(j) {
                out[k] = value;
            }
        }
    }
    out
}

/// Whether a raw sub-field value is missing (`""` or `.`).
pub(crate) fn is_missing(raw: &[u8]) -> bool {
    raw.is_empty() || raw == b"."
}

/// A value with VEP's percent-encoding (`%2C` `,`, `%3B` `;`, `%7C` `|`, `%3D` `=`, `%25` `%`,
/// … — any `%` and two hex digits) decoded. Borrowed when there is nothing to decode.
pub(crate) fn decode(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.contains(&b'%') {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    decode_into(raw, &mut out);
    Cow::Owned(out)
}

/// Appends the decoded value to `out`.
pub(crate) fn decode_into(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(|&b| hex(b)),
                raw.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A decoded value as text (invalid UTF-8 replaced), `None` when missing.
pub(crate) fn text(raw: &[u8]) -> Option<String> {
    if is_missing(raw) {
        return None;
    }
    Some(String::from_utf8_lossy(&decode(raw)).into_owned())
}

/// A 64-bit hash of a byte string: eight bytes at a time folded with a multiply, then mixed
/// (the low bits index the table). Not DoS-resistant, which a user's own file does not need.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let r = chunks.remainder();
    if !r.is_empty() {
        let mut w = [0u8; 8];
        w[..r.len()].copy_from_slice(r);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A string dictionary: id 0 is the empty string, ids 1.. are distinct values in first-seen
/// order. An open-addressing table of ids keyed by the dictionary's own strings, so each value
/// is stored once; each slot keeps 32 bits of the value's hash, so probing past other values and
/// growing the table never read their strings.
pub(crate) struct Interner {
    dict: Vec<String>,
    /// `(id, hash)`; id 0 = empty slot. Length is a power of two, at most half full.
    slots: Vec<(u32, u32)>,
}

impl Interner {
    pub(crate) fn new() -> Self {
        Self {
            dict: vec![String::new()],
            slots: vec![(0, 0); 64],
        }
    }

    /// The slot holding `value`, or the empty slot where it would go; and the hash to store.
    fn find(&self, value: &str) -> (usize, u32) {
        let h = hash(value.as_bytes()) as u32;
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let (id, tag) = self.slots[at];
            if id == 0 || (tag == h && self.dict[id as usize] == value) {
                return (at, h);
            }
            at = (at + 1) & mask;
        }
    }

    /// The id of `value`, if interned.
    pub(crate) fn get(&self, value: &str) -> Option<u32> {
        match self.slots[self.find(value).0].0 {
            0 => None,
            id => Some(id),
        }
    }

    /// The id of `value`, adding it if new. The empty string is id 0.
    pub(crate) fn intern(&mut self, value: &str) -> u32 {
        if value.is_empty() {
            return 0;
        }
        let (at, h) = self.find(value);
        if self.slots[at].0 != 0 {
            return self.slots[at].0;
        }
        // Ids are u32; a dictionary of 4 billion distinct values cannot fit in wasm memory, so
        // saturating here only guards the arithmetic.
        let id = u32::try_from(self.dict.len()).unwrap_or(u32::MAX);
        self.dict.push(value.to_string());
        self.slots[at] = (id, h);
        if self.dict.len() * 2 > self.slots.len() {
            self.grow();
        }
        id
    }

    /// The id of a raw sub-field value: missing → 0, otherwise decoded (percent-encoding,
    /// invalid UTF-8 replaced) and interned. `scratch` is reused for values that need decoding.
    pub(crate) fn intern_raw(&mut self, raw: &[u8], scratch: &mut Vec<u8>) -> u32 {
        if is_missing(raw) {
            return 0;
        }
        let bytes: &[u8] = if raw.contains(&b'%') {
            scratch.clear();
            decode_into(raw, scratch);
            scratch
        } else {
            raw
        };
        match std::str::from_utf8(bytes) {
            Ok(s) => self.intern(s),
            Err(_) => {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                self.intern(&lossy)
            }
        }
    }

    fn grow(&mut self) {
        let mut slots = vec![(0u32, 0u32); self.slots.len() * 2];
        let mask = slots.len() - 1;
        for &(id, h) in self.slots.iter().filter(|s| s.0 != 0) {
            let mut at = h as usize & mask;
            while slots[at].0 != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = (id, h);
        }
        self.slots = slots;
    }

    pub(crate) fn len(&self) -> usize {
        self.dict.len()
    }

    /// The value of an id (`""` for 0 and for ids not given out).
    pub(crate) fn text(&self, id: u32) -> &str {
        self.dict.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn into_dict(self) -> Vec<String> {
        self.dict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_fields() {
        let e: Vec<&[u8]> = entries(b"A|x|y,C|z").collect();
        assert_eq!(e, [&b"A|x|y"[..], b"C|z"]);
        assert_eq!(entries(b"").count(), 0);
        assert_eq!(entries(b".").count(), 0);
        let f: Vec<&[u8]> = fields(b"A||y", false).collect();
        assert_eq!(f, [&b"A"[..], b"", b"y"]);
    }

    #[test]
    fn searches_find_the_first_match_at_any_offset() {
        let s = b"aaaaaaaaaaaaaaaa|aaaaaaa,aaaa\x80\x01|";
        for from in 0..s.len() + 2 {
            let slow = |p: &dyn Fn(u8) -> bool| {
                s.get(from..)
                    .and_then(|t| t.iter().position(|&c| p(c)))
                    .map(|k| k + from)
            };
            assert_eq!(find(s, from, b'|'), slow(&|c| c == b'|'), "from {from}");
            assert_eq!(find(s, from, 0x01), slow(&|c| c == 0x01), "from {from}");
            assert_eq!(
                find2(s, from, b'|', b','),
                slow(&|c| c == b'|' || c == b','),
                "from {from}"
            );
        }
    }

    /// The fast scan equals splitting entries and fields, on random short texts.
    #[test]
    fn fast_values_equal_split_values() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"||,,ab.%";
        for case in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let text: Vec<u8> = (0..len)
                .map(|k| alphabet[((seed >> (k % 60)) as usize + k * 7) % alphabet.len()])
                .collect();
            for index in 0..5 {
                let mut fast = Vec::new();
                for_each_value(&text, index, false, |v| fast.push(v.to_vec()));
                let slow: Vec<Vec<u8>> = entries(&text)
                    .map(|e| fields(e, false).nth(index).unwrap_or(b"").to_vec())
                    .collect();
                assert_eq!(
                    fast,
                    slow,
                    "case {case}: {:?} index {index}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn legacy_eff_entries_put_the_effect_first() {
        let f: Vec<&[u8]> = fields(b"DOWNSTREAM(MODIFIER||x|)", true).collect();
        assert_eq!(f, [&b"DOWNSTREAM"[..], b"MODIFIER", b"", b"x", b""]);
        // Without parentheses the entry is read like any other.
        let f: Vec<&[u8]> = fields(b"A|B", true).collect();
        assert_eq!(f, [&b"A"[..], b"B"]);
    }

    #[test]
    fn pick_reads_wanted_fields_in_one_pass() {
        let [a, b, c] = pick(b"a|b|c|d", false, &[Some(3), None, Some(0)]);
        assert_eq!((a, b, c), (&b"d"[..], &b""[..], &b"a"[..]));
        // Short entries give empty values, not a panic.
        let [x] = pick(b"a", false, &[Some(9)]);
        assert_eq!(x, b"");
    }

    #[test]
    fn percent_encoding_is_decoded() {
        assert_eq!(&*decode(b"p.Ala133%3D"), b"p.Ala133=");
        assert_eq!(&*decode(b"a%2Cb%3Bc%7Cd%25e"), b"a,b;c|d%e");
        // Not an escape: left alone.
        assert_eq!(&*decode(b"50%"), b"50%");
        assert_eq!(&*decode(b"%zz%4"), b"%zz%4");
        assert_eq!(text(b"."), None);
        assert_eq!(text(b"x%20y").as_deref(), Some("x y"));
    }

    #[test]
    fn interner_assigns_first_seen_ids_and_survives_growth() {
        let mut d = Interner::new();
        let mut scratch = Vec::new();
        assert_eq!(d.intern_raw(b"", &mut scratch), 0);
        assert_eq!(d.intern_raw(b".", &mut scratch), 0);
        let ids: Vec<u32> = (0..1000).map(|k| d.intern(&format!("v{k}"))).collect();
        assert_eq!(ids, (1..=1000).collect::<Vec<u32>>());
        assert_eq!(d.intern("v17"), 18);
        assert_eq!(d.get("v999"), Some(1000));
        assert_eq!(d.get("nope"), None);
        assert_eq!(d.intern_raw(b"v1%37", &mut scratch), 18);
        assert_eq!(d.intern_raw(b"\xff", &mut scratch), d.intern("\u{fffd}"));
        assert_eq!(d.len(), 1002);
    }
}
