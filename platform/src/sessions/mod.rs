//! Sessions in Redis, bound to one municipality.
//!
//! Keys are `t:<slug>:session:<id>`: a session id presented under another tenant's path finds
//! nothing, and the session also records its tenant, checked on every load. Idle expiry is
//! the key's TTL (renewed on use); the absolute lifetime is checked against `created_at`.
//! Ids are 256 random bits; a new id is issued at sign-in (renewal) and the old one deleted.

use crate::redis_connection::SharedRedis;
use chrono::{DateTime, Utc};
use rand::RngCore;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);

/// A kind of session: where its keys live and how long it lasts. Parents' and staff's
/// sessions are apart, so an id of one kind finds nothing as the other.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    prefix: &'static str,
    accounts: &'static str,
    pub idle: Duration,
    pub absolute: Duration,
}

/// Guardians: 30 minutes idle, 12 hours at most.
pub const PARENT: Kind = Kind {
    prefix: "session",
    accounts: "account-sessions",
    idle: IDLE_TIMEOUT,
    absolute: ABSOLUTE_TIMEOUT,
};

/// Municipal staff: 15 minutes idle, 10 hours at most.
pub const STAFF: Kind = Kind {
    prefix: "staff-session",
    accounts: "staff-account-sessions",
    idle: Duration::from_secs(15 * 60),
    absolute: Duration::from_secs(10 * 60 * 60),
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub tenant: String,
    pub created_at: DateTime<Utc>,
    /// What the features keep: the signed-in guardian, a CSRF token…
    pub data: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Redis is unreachable: callers refuse the request (503) rather than go on anonymously.
    #[error("session store unavailable: {0}")]
    Unavailable(String),
}

impl From<redis::RedisError> for SessionError {
    fn from(e: redis::RedisError) -> Self {
        SessionError::Unavailable(e.to_string())
    }
}

/// A parent session as read once for the current request (kept in the request's extensions
/// by the locale middleware, which needs the saved language), so that the guard that follows
/// does not ask Redis again. Only a successful read is kept: an unreachable Redis is asked
/// again and answers its error to the guard.
#[derive(Debug, Clone)]
pub struct ReadForRequest {
    pub id: String,
    pub session: Option<Session>,
}

#[derive(Clone)]
pub struct SessionStore {
    redis: SharedRedis,
}

fn kind_key(kind: Kind, slug: &str, id: &str) -> String {
    format!("t:{slug}:{}:{id}", kind.prefix)
}

/// 256 random bits, hex: unguessable and safe in a cookie.
pub fn new_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SessionStore {
    pub fn new(redis: SharedRedis) -> Self {
        Self { redis }
    }

    /// Stores a new session and returns its id.
    pub async fn create(
        &self,
        slug: &str,
        data: serde_json::Map<String, serde_json::Value>,
    ) -> Result<String, SessionError> {
        self.create_as(PARENT, slug, data).await
    }

    /// Stores a new session of `kind` and returns its id.
    pub async fn create_as(
        &self,
        kind: Kind,
        slug: &str,
        data: serde_json::Map<String, serde_json::Value>,
    ) -> Result<String, SessionError> {
        let id = new_id();
        let session = Session {
            tenant: slug.to_string(),
            created_at: Utc::now(),
            data,
        };
        self.save_as(kind, slug, &id, &session).await?;
        Ok(id)
    }

    /// The live session `id` of `slug`, its idle timer renewed; `None` when unknown, expired
    /// or belonging to another tenant.
    pub async fn load(&self, slug: &str, id: &str) -> Result<Option<Session>, SessionError> {
        self.load_as(PARENT, slug, id).await
    }

    /// [`load`](Self::load) for a session of `kind`.
    pub async fn load_as(
        &self,
        kind: Kind,
        slug: &str,
        id: &str,
    ) -> Result<Option<Session>, SessionError> {
        let key = |slug: &str, id: &str| kind_key(kind, slug, id);
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let mut conn = self.redis.connection();
        let raw: Option<String> = redis::cmd("GETEX")
            .arg(key(slug, id))
            .arg("EX")
            .arg(kind.idle.as_secs())
            .query_async(&mut conn)
            .await?;
        let Some(session) = raw.and_then(|r| serde_json::from_str::<Session>(&r).ok()) else {
            return Ok(None);
        };
        let age = Utc::now().signed_duration_since(session.created_at);
        if session.tenant != slug || age.num_seconds() >= kind.absolute.as_secs() as i64 {
            let _: () = conn.del(key(slug, id)).await?;
            return Ok(None);
        }
        Ok(Some(session))
    }

    pub async fn save(&self, slug: &str, id: &str, session: &Session) -> Result<(), SessionError> {
        self.save_as(PARENT, slug, id, session).await
    }

    async fn save_as(
        &self,
        kind: Kind,
        slug: &str,
        id: &str,
        session: &Session,
    ) -> Result<(), SessionError> {
        let mut conn = self.redis.connection();
        let value = serde_json::to_string(session).expect("plain data");
        let _: () = conn
            .set_ex(kind_key(kind, slug, id), value, kind.idle.as_secs())
            .await?;
        Ok(())
    }

    /// Gives the session a new id (at sign-in) and forgets the old one.
    pub async fn renew(
        &self,
        slug: &str,
        old_id: &str,
        session: &Session,
    ) -> Result<String, SessionError> {
        let id = new_id();
        self.save(slug, &id, session).await?;
        self.destroy(slug, old_id).await?;
        Ok(id)
    }

    pub async fn destroy(&self, slug: &str, id: &str) -> Result<(), SessionError> {
        self.destroy_as(PARENT, slug, id).await
    }

    pub async fn destroy_as(&self, kind: Kind, slug: &str, id: &str) -> Result<(), SessionError> {
        let mut conn = self.redis.connection();
        let _: () = conn.del(kind_key(kind, slug, id)).await?;
        Ok(())
    }

    /// Remembers that session `id` belongs to `account`, so all of them can be ended at once.
    pub async fn index(&self, slug: &str, account: &str, id: &str) -> Result<(), SessionError> {
        self.index_as(PARENT, slug, account, id).await
    }

    pub async fn index_as(
        &self,
        kind: Kind,
        slug: &str,
        account: &str,
        id: &str,
    ) -> Result<(), SessionError> {
        let mut conn = self.redis.connection();
        let set = account_key(kind, slug, account);
        let _: () = redis::pipe()
            .sadd(&set, id)
            .expire(&set, kind.absolute.as_secs() as i64)
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Ends every session of `account` (password changed): on every device, server-side.
    pub async fn destroy_account(&self, slug: &str, account: &str) -> Result<(), SessionError> {
        self.destroy_account_as(PARENT, slug, account).await
    }

    /// Ends every session of `kind` of `account` (a staff member disabled).
    pub async fn destroy_account_as(
        &self,
        kind: Kind,
        slug: &str,
        account: &str,
    ) -> Result<(), SessionError> {
        let mut conn = self.redis.connection();
        let set = account_key(kind, slug, account);
        let ids: Vec<String> = conn.smembers(&set).await?;
        let mut pipe = redis::pipe();
        for id in &ids {
            pipe.del(kind_key(kind, slug, id));
        }
        pipe.del(&set);
        let _: () = pipe.query_async(&mut conn).await?;
        Ok(())
    }
}

fn account_key(kind: Kind, slug: &str, account: &str) -> String {
    format!("t:{slug}:{}:{account}", kind.accounts)
}
