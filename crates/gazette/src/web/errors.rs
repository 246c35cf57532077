//! Errors of the web role: one table of stable codes and HTTP statuses
//! (DESIGN.md §7.5). The API answers `{"error": {"code", "message"}}`;
//! pages answer the same status with a page.

use axum::Json;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// Every error the web role answers with. The codes are a contract: never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No such route, edition, story or channel.
    NotFound,
    /// A parameter is malformed (a slot that is not a date, a limit that is not a number).
    BadRequest,
    /// The admin pages need the token.
    Unauthorized,
    /// A form without its CSRF token, or a link whose signature does not check out.
    Forbidden,
    /// The feature is not configured (no admin token, no signing key).
    NotConfigured,
    /// The store did not answer.
    StoreUnavailable,
    /// Anything else that failed on our side.
    Internal,
}

impl ErrorCode {
    /// `(code, status)`: the one table.
    pub fn describe(self) -> (&'static str, StatusCode) {
        match self {
            ErrorCode::NotFound => ("not_found", StatusCode::NOT_FOUND),
            ErrorCode::BadRequest => ("bad_request", StatusCode::BAD_REQUEST),
            ErrorCode::Unauthorized => ("unauthorized", StatusCode::UNAUTHORIZED),
            ErrorCode::Forbidden => ("forbidden", StatusCode::FORBIDDEN),
            ErrorCode::NotConfigured => ("not_configured", StatusCode::NOT_FOUND),
            ErrorCode::StoreUnavailable => ("store_unavailable", StatusCode::SERVICE_UNAVAILABLE),
            ErrorCode::Internal => ("internal", StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

/// An API error: JSON.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl From<gazette_core::StoreError> for ApiError {
    fn from(error: gazette_core::StoreError) -> ApiError {
        tracing::error!(error = %gazette_core::report::chain(&error), "store error in the web role");
        ApiError::new(ErrorCode::StoreUnavailable, "the store did not answer")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status) = self.code.describe();
        (
            status,
            Json(json!({"error": {"code": code, "message": self.message}})),
        )
            .into_response()
    }
}

/// A page error: a small HTML page (no template, so it cannot fail itself).
#[derive(Debug)]
pub struct PageError {
    pub code: ErrorCode,
    pub message: String,
}

impl PageError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> PageError {
        PageError {
            code,
            message: message.into(),
        }
    }
}

impl From<gazette_core::StoreError> for PageError {
    fn from(error: gazette_core::StoreError) -> PageError {
        let api = ApiError::from(error);
        PageError::new(api.code, api.message)
    }
}

impl From<anyhow::Error> for PageError {
    fn from(error: anyhow::Error) -> PageError {
        tracing::error!(error = format!("{error:#}"), "web role failure");
        PageError::new(ErrorCode::Internal, "something failed on our side")
    }
}

impl From<minijinja::Error> for PageError {
    fn from(error: minijinja::Error) -> PageError {
        PageError::from(anyhow::Error::new(error))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (code, status) = self.code.describe();
        let message = escape(&self.message);
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} · gazette</title></head><body><h1>{}</h1><p>{message}</p>\
             <p class=\"code\">{code}</p><p><a href=\"/\">gazette</a></p></body></html>",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error"),
        );
        (status, Html(body)).into_response()
    }
}

/// HTML text escaping, for the few strings written without a template.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Unknown routes: JSON under `/api/`, a page elsewhere.
pub async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(ErrorCode::NotFound, format!("no route {}", uri.path())).into_response()
    } else {
        PageError::new(ErrorCode::NotFound, "There is no page here.").into_response()
    }
}
