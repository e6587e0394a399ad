//! Access tokens: HS256 JWTs with a pinned algorithm, required `exp`, `nbf`,
//! `iss`, `aud` and `sub`, a leeway of 5 seconds, and a `kid` naming one of
//! the configured keys, so keys can rotate (DESIGN.md section 4).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Config;

/// The only algorithm accepted; a token naming another (`none`, `RS256`, …)
/// is refused before its signature is looked at.
const ALGORITHM: Algorithm = Algorithm::HS256;
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 5;

/// The claims of a Pulse access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The user's workspace id.
    pub ws: String,
    /// The login session family the token was issued for.
    pub sid: String,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
}

/// An issued access token.
pub struct AccessToken {
    /// The JWT.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The keys and rules for issuing and checking access tokens.
pub struct JwtKeys {
    current_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

/// Why a token was refused (logged at debug level, never shown in detail).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT Pulse issued and still accepts.
    #[error("invalid token: {0}")]
    Invalid(String),
}

impl JwtKeys {
    /// Keys from the resolved configuration: the current secret under its
    /// `kid`, plus any previous keys.
    pub fn from_config(config: &Config) -> anyhow::Result<JwtKeys> {
        let secret = config
            .jwt_secret
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("BUG: the configuration was not resolved"))?;
        let auth = &config.auth;
        let mut decoding = HashMap::new();
        decoding.insert(
            auth.jwt_key_id.clone(),
            DecodingKey::from_secret(secret.expose()),
        );
        if let Some(previous) = &auth.jwt_previous_keys {
            for pair in std::str::from_utf8(previous.expose())?.split(',') {
                if let Some((kid, key)) = pair.split_once('=') {
                    decoding.insert(
                        kid.trim().to_owned(),
                        DecodingKey::from_secret(key.trim().as_bytes()),
                    );
                }
            }
        }
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&auth.jwt_issuer]);
        validation.set_audience(&[&auth.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        Ok(JwtKeys {
            current_kid: auth.jwt_key_id.clone(),
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding,
            validation,
            issuer: auth.jwt_issuer.clone(),
            audience: auth.jwt_audience.clone(),
            ttl: chrono::Duration::from_std(auth.access_token_ttl())
                .unwrap_or(chrono::Duration::minutes(15)),
        })
    }

    /// Issues an access token for `user` in `workspace`, session `session`.
    pub fn issue(&self, user: Uuid, workspace: Uuid, session: Uuid) -> anyhow::Result<AccessToken> {
        let now = Utc::now();
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user.to_string(),
            ws: workspace.to_string(),
            sid: session.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: expires_at.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
        };
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.current_kid.clone());
        let token = encode(&header, &claims, &self.encoding)?;
        Ok(AccessToken { token, expires_at })
    }

    /// Checks a token's algorithm, key, signature and claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        if header.alg != ALGORITHM {
            return Err(TokenError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Invalid("no kid".to_owned()))?;
        let key = self
            .decoding
            .get(&kid)
            .ok_or_else(|| TokenError::Invalid("unknown kid".to_owned()))?;
        decode::<Claims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Invalid(e.to_string()))
    }
}
