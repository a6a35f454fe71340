//! The salted dataset fingerprint: the only thing derived from a file's bytes that may leave
//! the browser.
//!
//! `SHA-256(salt ‖ size ‖ first 64 KiB ‖ last 64 KiB)`, hex. The salt is random and kept where
//! the user's browser keeps it, so the server can recognise the same file opened again by the same
//! user, but can neither link it across users nor test a guess of the content without the salt.

use sha2::{Digest, Sha256};

/// Bytes hashed from each end of the file.
pub const EDGE_BYTES: u64 = 64 << 10;

/// Computes the fingerprint from the file's size and its first and last [`EDGE_BYTES`].
pub fn fingerprint(salt: &[u8], size: u64, head: &[u8], tail: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update((salt.len() as u64).to_le_bytes());
    h.update(salt);
    h.update(size.to_le_bytes());
    h.update(head);
    h.update(tail);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_changes_the_fingerprint() {
        let a = fingerprint(b"salt-a", 10, b"head", b"tail");
        let b = fingerprint(b"salt-b", 10, b"head", b"tail");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(a, fingerprint(b"salt-a", 10, b"head", b"tail"));
    }
}
