//! First start: the district signing key and the first admin account, then the shared state.

use std::sync::Arc;

use chrono::Utc;
use sync_core::pass::{DistrictSigner, PassError};
use sync_core::signed::RootSigner;

use crate::auth::{hash_password, random_token, MIN_PASSWORD_CHARS};
use crate::config::Config;
use crate::state::AppState;
use crate::store::{DbError, Store};
use crate::web::templates::Templates;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("signing key: {0}")]
    Key(#[from] PassError),
    #[error("{0}")]
    Other(String),
}

/// What a first start created and must tell the operator once.
#[derive(Debug, Default)]
pub struct FirstStart {
    pub new_key_id: Option<String>,
    /// `(username, password)` of an admin created because there was none.
    pub new_admin: Option<(String, String)>,
}

/// The district signer, made and stored on first start.
pub async fn ensure_signer(
    store: &Store,
    district_id: &str,
) -> Result<(DistrictSigner, bool), SetupError> {
    if let Some(secret) = store.current_secret_key().await? {
        return Ok((
            DistrictSigner::from_secret_hex(district_id, &secret)?,
            false,
        ));
    }
    let signer = DistrictSigner::generate(district_id)?;
    let now = Utc::now();
    store
        .add_signing_key(
            // Visitor passes start a little in the past (clock skew); the key must already cover them
            // (whole seconds, as a pass's times are signed: one issued in the key's first second too).
            &signer.key_record(
                Some(
                    chrono::SubsecRound::trunc_subsecs(now, 0)
                        - chrono::Duration::minutes(crate::passes::BACKDATE_MINUTES),
                ),
                None,
            ),
            &signer.secret_hex(),
            now.timestamp_millis(),
        )
        .await?;
    // Another instance may have won the race: use whatever key is stored now.
    let secret = store
        .current_secret_key()
        .await?
        .ok_or_else(|| SetupError::Other("signing key vanished".into()))?;
    Ok((DistrictSigner::from_secret_hex(district_id, &secret)?, true))
}

/// Create or reset an admin with a random password; returns the password (shown once).
pub async fn reset_admin(store: &Store, username: &str) -> Result<String, SetupError> {
    let password = random_token(9).map_err(|e| SetupError::Other(e.to_string()))?;
    set_admin_password(store, username, &password).await?;
    Ok(password)
}

pub async fn set_admin_password(
    store: &Store,
    username: &str,
    password: &str,
) -> Result<(), SetupError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(SetupError::Other(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let phc = hash_password(password).map_err(SetupError::Other)?;
    store
        .set_admin(username, &phc, Utc::now().timestamp_millis())
        .await?;
    Ok(())
}

/// The district root key that signs every answer a device trusts (made once, first writer wins,
/// so several instances starting together agree on it).
pub async fn ensure_root(store: &Store) -> Result<RootSigner, SetupError> {
    let fresh = RootSigner::generate().map_err(|e| SetupError::Other(e.to_string()))?;
    let secret = store
        .init_setting("district_root_secret", &fresh.secret_hex())
        .await?;
    RootSigner::from_secret_hex(&secret)
        .ok_or_else(|| SetupError::Other("the stored district root key is damaged".into()))
}

/// Open the database, run first-start setup and build the handlers' state.
pub async fn start(config: Config) -> Result<(AppState, FirstStart), SetupError> {
    let store = Store::open_with(&config.db, &config.db_options()).await?;
    let district_id = store
        .init_setting("district_id", &config.district_id)
        .await?;
    let (signer, new_key) = ensure_signer(&store, &district_id).await?;
    let root = ensure_root(&store).await?;
    let tls_pin = match &config.tls_cert {
        Some(cert) => Some(
            crate::tls::cert_fingerprint(std::path::Path::new(cert))
                .map_err(|e| SetupError::Other(e.to_string()))?,
        ),
        None => None,
    };
    let mut first = FirstStart {
        new_key_id: new_key.then(|| signer.key_id()),
        new_admin: None,
    };
    if store.admin_count().await? == 0 {
        let password = reset_admin(&store, "admin").await?;
        first.new_admin = Some(("admin".into(), password));
    }
    let templates = Templates::new().map_err(|e| SetupError::Other(e.to_string()))?;
    let config = Config {
        district_id,
        ..config
    };
    let reports = match &config.report_db {
        Some(url) => Store::open_replica(url, &config.db_options()).await?,
        None => store.clone(),
    };
    let state = AppState {
        store,
        reports,
        config: Arc::new(config),
        signer: Arc::new(signer),
        root: Arc::new(root),
        tls_pin,
        templates: Arc::new(templates),
    };
    Ok((state, first))
}
