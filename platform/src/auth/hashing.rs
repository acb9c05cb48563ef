//! Argon2id password hashes (PHC strings; 19 MiB, 2 passes, as OWASP recommends), computed on
//! the blocking pool so a burst of sign-ins never stalls the server's other requests.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Argon2 verifications run by this process: the proof, in tests, that an unknown account
/// costs the same Argon2 work as a wrong password.
static VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

pub fn verifications() -> u64 {
    VERIFICATIONS.load(Ordering::SeqCst)
}

fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid parameters"),
    )
}

/// Verified against when the e-mail is unknown, so both answers take the same time.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("un mot de passe qui ne sert à rien"));

fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing cannot fail")
        .to_string()
}

pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .expect("hashing task")
}

/// Checks `password` against `stored`, or against a dummy hash when there is none.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        VERIFICATIONS.fetch_add(1, Ordering::SeqCst);
        matches && known
    })
    .await
    .expect("verification task")
}

/// Prepares the dummy hash at start-up rather than in the first sign-in, and has the
/// allocator give back each hash's memory.
pub fn warm_up() {
    keep_large_blocks_mapped();
    LazyLock::force(&DUMMY_HASH);
}

/// Each hash takes a 19 MiB block. glibc raises its mmap threshold to the size of the first
/// large block freed, so from then on these blocks come from per-thread arenas and stay
/// resident once the hash is done: ten concurrent sign-ins for 4 s left the server at 1.5 GB
/// for good (`scripts/bench`). A fixed threshold keeps blocks of 1 MiB and more mapped on
/// their own, each given back to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_mapped() {
    // SAFETY: mallopt only tunes the allocator; any value of M_MMAP_THRESHOLD is valid.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_mapped() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("Vélo#Rouge42x".into()).await;
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Vélo#Rouge42x".into(), Some(h.clone())).await);
        assert!(!verify("vélo#rouge42x".into(), Some(h)).await);
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let real = hash_now("Vélo#Rouge42x");
        let params = |h: &str| h.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(params(&DUMMY_HASH), params(&real));
        assert_eq!(params(&real), "$argon2id$v=19$m=19456,t=2,p=1");
    }

    #[tokio::test]
    async fn without_a_stored_hash_nothing_verifies() {
        assert!(!verify("un mot de passe qui ne sert à rien".into(), None).await);
    }
}
