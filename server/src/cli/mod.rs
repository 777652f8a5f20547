//! The binary's commands: `serve` and `admin …` (the library does the work).

pub mod admin;
pub mod serve;

use district_server::setup::FirstStart;
use district_server::Config;

/// Say what a first start created (the signing key, the first admin's password, once).
pub fn announce(first: &FirstStart, config: &Config) {
    if let Some(key_id) = &first.new_key_id {
        println!("district-server: first start: created the district signing key {key_id}");
    }
    if let Some((user, password)) = &first.new_admin {
        println!(
            "district-server: first start: admin login at {}/admin/login\n  username: {user}\n  password: {password}\n  (shown once; change it with `district-server admin set-password`)",
            config.public_url.trim_end_matches('/')
        );
    }
}
