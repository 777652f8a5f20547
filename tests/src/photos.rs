//! Photo-sized bytes for the photo tests and the sync bench: distinct for each `i`, starting with
//! the JPEG marker (the server checks the marker and the hash, not the picture), and noisy, so
//! they do not compress.

/// `len` bytes (at least 4) for photo number `i`.
pub fn fake_photo(i: u64, len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (i + 1);
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len.max(4));
    bytes
}
