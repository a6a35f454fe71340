//! [`JsonBody`]: the request-body extractor of the API. Unlike axum's `Json`, every rejection is an
//! [`ApiError`] with the status the API promises: 415 for a wrong content type, 413 past the body
//! limit, 400 for malformed JSON or a body that does not match the schema (unknown or missing field,
//! wrong type). Value rules (422) are checked afterwards by the handler.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::{ApiError, BODY_LIMIT_BYTES};

/// A JSON request body deserialized into `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        check_content_type(request.headers().get(header::CONTENT_TYPE))?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large(format!(
                        "request body is larger than {BODY_LIMIT_BYTES} bytes"
                    ))
                } else {
                    ApiError::bad_request("the request body could not be read")
                }
            })?;
        parse(&body).map(JsonBody)
    }
}

fn check_content_type(value: Option<&header::HeaderValue>) -> Result<(), ApiError> {
    let essence = value
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match essence {
        Some(essence) if essence.eq_ignore_ascii_case("application/json") => Ok(()),
        Some(_) => Err(ApiError::unsupported_media_type(
            "Content-Type must be application/json",
        )),
        None => Err(ApiError::unsupported_media_type(
            "missing Content-Type: send application/json",
        )),
    }
}

/// Parses `body`, classifying serde_json's error into the API's statuses.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        use serde_json::error::Category;
        match error.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request(format!("malformed JSON: {error}"))
            }
            Category::Data => ApiError::bad_request(format!("invalid request body: {error}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::DescriptorRequest;
    use axum::http::HeaderValue;

    #[test]
    fn content_type_must_be_json() {
        let ok = |v: &'static str| check_content_type(Some(&HeaderValue::from_static(v)));
        assert!(ok("application/json").is_ok());
        assert!(ok("Application/JSON; charset=utf-8").is_ok());
        assert_eq!(
            ok("text/plain").unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            ok("application/jsonp").unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            check_content_type(None).unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn syntax_and_schema_errors_are_400_with_a_precise_message() {
        let error = parse::<DescriptorRequest>(b"{\"format\": ").unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert!(error.message.starts_with("malformed JSON: "), "{error:?}");
        assert!(error.message.contains("line 1"), "{error:?}");

        let error = parse::<DescriptorRequest>(br#"{"positions": [1, 2]}"#).unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert!(
            error.message.contains("unknown field `positions`"),
            "{error:?}"
        );

        let error = parse::<DescriptorRequest>(br#"{"format": "vcf"}"#).unwrap_err();
        assert!(error.message.contains("missing field"), "{error:?}");
    }
}
