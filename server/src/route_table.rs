//! The router built from declarations: every route names its access level, the gate in front of
//! its handler enforces it, and the same declarations are listed for the tests that walk every
//! route (so no route can be added without an access level, or left out of those tests).

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, Router};

use crate::access::Access;
use crate::state::AppState;

/// One declared route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// A router under construction and the list of what it holds.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get(self, path: &'static str, access: Access, route: MethodRouter<AppState>) -> Self {
        self.add(Method::GET, path, access, route)
    }

    pub fn post(self, path: &'static str, access: Access, route: MethodRouter<AppState>) -> Self {
        self.add(Method::POST, path, access, route)
    }

    pub fn put(self, path: &'static str, access: Access, route: MethodRouter<AppState>) -> Self {
        self.add(Method::PUT, path, access, route)
    }

    /// Add `route` (one method's handler) at `path` behind the gate of `access`. Two methods on
    /// one path merge into one method router.
    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
    ) -> Self {
        let gated = route.route_layer(from_fn(move |req: Request, next: Next| {
            gate_request(access, req, next)
        }));
        self.router = self.router.route(path, gated);
        self.table.push(RouteInfo {
            method,
            path,
            access,
        });
        self
    }

    /// Both halves: the router's routes follow `other`'s.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

async fn gate_request(access: Access, req: Request, next: Next) -> Response {
    match crate::web::gate::refusal(access, &req) {
        None => next.run(req).await,
        Some(refused) => refused,
    }
}
