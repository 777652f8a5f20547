//! What the role and scope tests share: compound c2's fixtures, a database fingerprint, and one
//! request for any declared route filled in with c2's ids.

pub mod fingerprint;
pub mod fixtures;

use axum::body::Body;
use axum::http::{header, Method, Request};
use district_server::route_table::RouteInfo;
use fixtures::C2;

/// `path` with its parameters naming compound c2's things.
pub fn concrete(path: &str, c2: &C2) -> String {
    let id = if path.starts_with("/admin/compounds/") {
        "c2"
    } else if path.starts_with("/admin/patrol/routes/") {
        c2.route.as_str()
    } else if path.starts_with("/admin/residents/") {
        c2.resident.as_str()
    } else {
        "cp-west"
    };
    let verb = if path.starts_with("/admin/devices/") {
        "disable"
    } else {
        "deactivate"
    };
    let serial = c2.serial.to_string();
    [
        ("{id}", id),
        ("{verb}", verb),
        ("{pass_id}", c2.pass_id.as_str()),
        ("{serial}", serial.as_str()),
        ("{sha256}", c2.photo.as_str()),
        ("{entry_id}", c2.incident.as_str()),
        ("{notice_id}", c2.notice.as_str()),
        ("{staff_id}", c2.staff.as_str()),
        ("{username}", "manager-c2"),
    ]
    .iter()
    .fold(path.to_owned(), |p, (k, v)| p.replace(k, v))
}

/// One form with every field any change route reads, all naming compound c2's things and valid,
/// so a refusal can only come from the account's role or scope.
fn form_fields(c2: &C2, csrf: &str) -> Vec<(String, String)> {
    let pk = c2.quarantined.to_string();
    [
        ("csrf", csrf),
        ("compound_id", "c2"),
        ("compound", "c2"),
        ("household", c2.household.as_str()),
        ("device_id", c2.device.as_str()),
        ("confirm", "yes"),
        ("pk", pk.as_str()),
        ("action", "discard"),
        ("id", "cp-west"),
        ("name", "西门改名"),
        ("gates", "west-1"),
        ("csv", "姓名,身份证号,手机号,户号,车牌\n"),
        ("to", "closed"),
        ("note", "已处理"),
        ("pin", "246810"),
        ("title", "西门通知"),
        ("body", "西门今晚检修。"),
        ("priority", "normal"),
        ("target", "compounds"),
        ("checkpoint_id", "cp-west"),
        ("username", "new-account"),
        ("id_number", "44052419900101123X"),
        ("phone", "13700001111"),
        ("building", "8"),
        ("unit", "1"),
        ("room", "301"),
        ("role", "manager"),
        ("current", "not the password"),
        ("new", "a new password 1"),
        ("repeat", "a new password 1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// The request for `route` as the account with `cookie` and `csrf` would send it about c2.
pub fn request(route: &RouteInfo, c2: &C2, cookie: &str, csrf: &str) -> Request<Body> {
    let path = concrete(route.path, c2);
    let builder = Request::builder()
        .method(route.method.clone())
        .header(header::COOKIE, cookie);
    if route.method == Method::GET {
        let uri = format!("{path}?compound=c2&device={}", c2.device);
        return builder.uri(uri).body(Body::empty()).unwrap();
    }
    let body: Vec<String> = form_fields(c2, csrf)
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::web_support::urlencode(v)))
        .collect();
    builder
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}
