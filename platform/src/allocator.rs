//! The service's memory allocator: mimalloc, set to give freed memory back to the system at once.
//!
//! Why not glibc's malloc: on the busiest pages (dashboard, "Mes factures", the booking grid)
//! malloc and free took a sixth of the server's CPU, with `malloc_consolidate` run on every
//! large free (a rendered page, a batch's JSON). With mimalloc the server's CPU per request is
//! a fifth lower (figures in the README, "Performance").
//!
//! Why these settings: mimalloc's defaults keep memory. Its arenas ask for transparent huge
//! pages, so the resident set grows 2 MiB at a time (78 MB idle instead of 51 after start-up and
//! one sign-in), and freed pages are held for a second before they go back (179 MB at the peak
//! of 20 concurrent 10 MB uploads). Built without huge pages (the `no_thp` feature) and purging
//! at once, it stays where glibc's malloc does: 52 MB idle, a 99 MB peak under the uploads.
//! The binary installs it (`main.rs`); library tests keep the system allocator.

use libmimalloc_sys as ffi;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (the version `libmimalloc-sys` builds,
/// pinned by Cargo.lock); the crate names only the options v2 and v3 share. A test checks that
/// this index holds the purge delay's documented default.
const PURGE_DELAY: ffi::mi_option_t = 15;

/// Freed memory goes back to the system at once rather than after a delay. Called first thing
/// in `main`; mimalloc reads the option on each purge, so it holds from then on.
pub fn purge_at_once() {
    // SAFETY: sets a plain integer option; mimalloc allows it at any time, from any thread.
    unsafe { ffi::mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_index_is_mimallocs_purge_delay() {
        // mimalloc v3 documents the purge delay's default as 1000 ms, and no other option of
        // its enum defaults to 1000: a shifted index reads another option's value.
        // SAFETY: reads an integer option.
        let delay = unsafe { ffi::mi_option_get(PURGE_DELAY) };
        assert_eq!(
            delay, 1000,
            "option {PURGE_DELAY} is not mimalloc's purge delay"
        );
    }
}
