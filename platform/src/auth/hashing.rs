//! Argon2id password hashes (PHC strings; 19 MiB, 2 passes, as OWASP recommends), computed on
//! the blocking pool so a burst of sign-ins never stalls the server's other requests.
//!
//! Each hash works in 19 MiB of Argon2 blocks. They come from a pool of buffers, one per
//! hashing worker, kept for the life of the process: at most `workers × 19 MiB`, filled again
//! by each hash and never handed back to the allocator. Allocated per hash, the blocks stayed
//! resident in glibc's per-thread arenas (ten concurrent sign-ins left 1.5 GB for good);
//! mapped and unmapped per hash, they cost a third of the sign-in rate.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::num::NonZero;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::Semaphore;

/// Argon2 verifications run by this process: the proof, in tests, that an unknown account
/// costs the same Argon2 work as a wrong password.
static VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

pub fn verifications() -> u64 {
    VERIFICATIONS.load(Ordering::SeqCst)
}

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid parameters")
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// One worker per core: hashing is pure computation, more at once would not go faster, only
/// hold more memory.
static POOL: LazyLock<Arc<BlockPool>> = LazyLock::new(|| {
    let workers = std::thread::available_parallelism().map_or(1, NonZero::get);
    Arc::new(BlockPool::new(workers))
});

/// Verified against when the e-mail is unknown, so both answers take the same time: a hash of
/// today's parameters (of "un mot de passe qui ne sert à rien", which verifies nothing: the
/// account is unknown). Written here rather than made at start-up, where its 19 MiB would
/// either stay resident while the server idles, or be freed and have glibc raise its mmap
/// threshold past that size, keeping later large blocks resident.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$xMSqpiQXvf+iYMqZs7jUFg$6Cak8gZP0s7qZmDJe/WfWDLcejSr0Gvm3c6ZbRqmHLA";

pub async fn hash(password: String) -> String {
    POOL.run(move |memory| hash_with(memory, &password)).await
}

/// Checks `password` against `stored`, or against a dummy hash when there is none.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    POOL.run(move |memory| {
        let known = stored.is_some();
        let stored = stored.as_deref().unwrap_or(DUMMY_HASH);
        let matches = verify_with(memory, &password, stored).unwrap_or(false);
        VERIFICATIONS.fetch_add(1, Ordering::SeqCst);
        matches && known
    })
    .await
}

/// Says at start-up what hashing may hold.
pub fn warm_up() {
    let bytes = POOL.workers * params().block_count() * Block::SIZE;
    tracing::info!(
        workers = POOL.workers,
        memory_mib = bytes >> 20,
        "password hashing: Argon2 buffers kept for reuse, one per worker at the most"
    );
}

/// Today's parameters, a fresh salt, the blocks given.
fn hash_with(memory: &mut [Block], password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0; Salt::MAX_LENGTH];
    let raw_salt = salt.decode_b64(&mut salt_bytes).expect("a generated salt");
    let mut out = [0; Params::DEFAULT_OUTPUT_LEN];
    argon2()
        .hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, memory)
        .expect("hashing cannot fail");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params()).expect("valid parameters"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("a valid output length")),
    }
    .to_string()
}

/// What `PasswordVerifier` does, in the blocks given: the hash recomputed with the stored
/// string's own algorithm, version, parameters and salt, compared in constant time
/// (`Output`'s equality). A hash made with more memory than the buffer holds gets a buffer of
/// its own, this once; one made with less uses the buffer's first blocks.
fn verify_with(
    memory: &mut [Block],
    password: &str,
    stored: &str,
) -> Result<bool, password_hash::Error> {
    let stored = PasswordHash::new(stored)?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Ok(false);
    };
    let params = Params::try_from(&stored)?;
    let version = stored.version.map(Version::try_from).transpose()?;
    let argon2 = Argon2::new(
        Algorithm::try_from(stored.algorithm)?,
        version.unwrap_or_default(),
        params.clone(),
    );
    let mut salt_bytes = [0; Salt::MAX_LENGTH];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let mut out = vec![0; expected.len()];
    if params.block_count() <= memory.len() {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)?;
    } else {
        argon2.hash_password_into(password.as_bytes(), salt, &mut out)?;
    }
    Ok(Output::new(&out)? == expected)
}

/// Argon2 block buffers for at most `workers` hashes at once. A hash waits (without holding a
/// thread) for a worker's permit, then takes a free buffer, or allocates one when none is
/// free, which happens at most `workers` times: a buffer goes back before its permit does.
struct BlockPool {
    workers: usize,
    permits: Arc<Semaphore>,
    free: Mutex<Vec<Vec<Block>>>,
    /// Buffers allocated so far (free or in use): never more than `workers`.
    buffers: AtomicUsize,
    in_use: AtomicUsize,
    /// The most buffers in use at once so far.
    peak_in_use: AtomicUsize,
}

impl BlockPool {
    fn new(workers: usize) -> Self {
        Self {
            workers,
            permits: Arc::new(Semaphore::new(workers)),
            free: Mutex::new(Vec::with_capacity(workers)),
            buffers: AtomicUsize::new(0),
            in_use: AtomicUsize::new(0),
            peak_in_use: AtomicUsize::new(0),
        }
    }

    /// Runs `work` on the blocking pool with a buffer of today's block count. The permit
    /// moves into the blocking task, so a caller that goes away (a client hanging up) does not
    /// free its worker's place while the hash still runs.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> T {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .expect("the workers' semaphore is never closed");
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut lease = pool.lease();
            work(&mut lease.blocks)
        })
        .await
        .expect("hashing task")
    }

    fn lease(&self) -> Lease<'_> {
        let reused = self.free.lock().expect("pool lock").pop();
        let blocks = reused.unwrap_or_else(|| {
            self.buffers.fetch_add(1, Ordering::SeqCst);
            vec![Block::default(); params().block_count()]
        });
        let in_use = self.in_use.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_use.fetch_max(in_use, Ordering::SeqCst);
        Lease { pool: self, blocks }
    }

    #[cfg(test)]
    fn buffers(&self) -> usize {
        self.buffers.load(Ordering::SeqCst)
    }
}

/// A buffer taken from the pool, put back when dropped (a panicking hash included).
struct Lease<'a> {
    pool: &'a BlockPool,
    blocks: Vec<Block>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let blocks = std::mem::take(&mut self.blocks);
        if let Ok(mut free) = self.pool.free.lock() {
            free.push(blocks);
        }
        self.pool.in_use.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("Vélo#Rouge42x".into()).await;
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Vélo#Rouge42x".into(), Some(h.clone())).await);
        assert!(!verify("vélo#rouge42x".into(), Some(h)).await);
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let real = hash_with(&mut vec![Block::default(); params().block_count()], "x");
        let params = |h: &str| h.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(params(DUMMY_HASH), params(&real));
        assert_eq!(params(&real), "$argon2id$v=19$m=19456,t=2,p=1");
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_real_hash_of_its_password() {
        assert!(standard_verify(
            "un mot de passe qui ne sert à rien",
            DUMMY_HASH
        ));
        // Unknown accounts verify against it, with the same work, and never succeed.
        let before = verifications();
        assert!(!verify("un mot de passe qui ne sert à rien".into(), None).await);
        assert_eq!(verifications(), before + 1);
    }

    #[tokio::test]
    async fn without_a_stored_hash_nothing_verifies() {
        assert!(!verify("un mot de passe qui ne sert à rien".into(), None).await);
    }

    /// The argon2 crate's own verifier.
    fn standard_verify(password: &str, stored: &str) -> bool {
        let parsed = PasswordHash::new(stored).expect("a PHC string");
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    }

    fn standard_hash(password: &str, params: Params) -> String {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .expect("hashing")
            .to_string()
    }

    #[tokio::test]
    async fn the_pools_hashes_and_the_crates_verify_each_other() {
        // One worker: the second hash and the verifications run in a buffer already used.
        let pool = Arc::new(BlockPool::new(1));
        let first = pool.run(|m| hash_with(m, "Vélo#Rouge42x")).await;
        let second = pool.run(|m| hash_with(m, "Train#Bleu17y")).await;
        assert!(standard_verify("Vélo#Rouge42x", &first));
        assert!(standard_verify("Train#Bleu17y", &second));
        assert!(!standard_verify("Train#Bleu17y", &first));

        let theirs = standard_hash("Vélo#Rouge42x", params());
        let verified = pool.run(move |m| verify_with(m, "Vélo#Rouge42x", &theirs));
        assert!(matches!(verified.await, Ok(true)));
        let theirs = standard_hash("Vélo#Rouge42x", params());
        let refused = pool.run(move |m| verify_with(m, "vélo#rouge42x", &theirs));
        assert!(matches!(refused.await, Ok(false)));
        assert_eq!(pool.buffers(), 1);
    }

    #[tokio::test]
    async fn a_stored_hash_keeps_its_own_parameters() {
        let pool = Arc::new(BlockPool::new(1));
        for (m, t) in [(8192, 2), (19 * 1024, 3), (32 * 1024, 1)] {
            let params = Params::new(m, t, 1, None).expect("valid parameters");
            let stored = standard_hash("Vélo#Rouge42x", params);
            assert!(stored.contains(&format!("m={m},t={t},p=1$")), "{stored}");
            let again = stored.clone();
            let verified = pool.run(move |b| verify_with(b, "Vélo#Rouge42x", &again));
            assert!(matches!(verified.await, Ok(true)));
            let refused = pool.run(move |b| verify_with(b, "Velo#Rouge42x", &stored));
            assert!(matches!(refused.await, Ok(false)));
        }
        // The larger hash had a buffer of its own, not kept.
        assert_eq!(pool.buffers(), 1);
        assert_eq!(pool.free.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_verifies_nothing() {
        let pool = Arc::new(BlockPool::new(1));
        for stored in [
            "",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "pas un hash",
            "$md5$abc$def",
        ] {
            assert!(
                !pool
                    .run(move |b| verify_with(b, "", stored))
                    .await
                    .unwrap_or(false)
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn more_sign_ins_than_workers_share_the_pools_buffers() {
        let pool = Arc::new(BlockPool::new(3));
        let stored = standard_hash("Vélo#Rouge42x", params());
        let checks = (0..12).map(|i| {
            let (pool, stored) = (Arc::clone(&pool), stored.clone());
            let password = if i % 2 == 0 { "Vélo#Rouge42x" } else { "faux" };
            tokio::spawn(async move {
                pool.run(move |b| verify_with(b, password, &stored))
                    .await
                    .unwrap()
            })
        });
        let results = futures::future::join_all(checks.collect::<Vec<_>>()).await;
        let results: Vec<bool> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, (0..12).map(|i| i % 2 == 0).collect::<Vec<_>>());
        // Twelve at once on three workers: three buffers in use at the most, all back.
        assert!(pool.peak_in_use.load(Ordering::SeqCst) <= 3);
        assert!((1..=3).contains(&pool.buffers()), "{}", pool.buffers());
        assert_eq!(pool.free.lock().unwrap().len(), pool.buffers());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_servers_pool_is_bounded_by_its_workers() {
        let workers = POOL.workers;
        let stored = hash("Vélo#Rouge42x".into()).await;
        let checks = (0..4 * workers + 2)
            .map(|_| tokio::spawn(verify("Vélo#Rouge42x".into(), Some(stored.clone()))));
        for verified in futures::future::join_all(checks.collect::<Vec<_>>()).await {
            assert!(verified.unwrap());
        }
        assert!(POOL.buffers() <= workers);
        assert!(POOL.peak_in_use.load(Ordering::SeqCst) <= workers);
    }
}
