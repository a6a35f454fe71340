//! The metadata API: health, recording dataset openings, listing them, and every refusal.

use enclave_server::store::MetadataStore;
use enclave_server::store::sqlite::SqliteStore;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{FINGERPRINT_A, FINGERPRINT_B, TestServer, descriptor, send};

async fn list(server: &TestServer) -> Vec<Value> {
    let reply = server.get("/api/v1/datasets").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()["datasets"].as_array().unwrap().clone()
}

#[tokio::test]
async fn health() {
    let server = TestServer::start().await;
    let reply = server.get("/api/v1/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"status": "ok"}));
    server.stop().await;
}

#[tokio::test]
async fn a_posted_descriptor_is_stored_listed_and_survives_a_restart() {
    let server = TestServer::start().await;
    assert!(list(&server).await.is_empty());

    let reply = server
        .post_json("/api/v1/datasets", &descriptor(FINGERPRINT_A))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let created = reply.json();
    assert_eq!(created["first_seen"], json!(true));
    let id = created["id"].as_i64().expect("id is an integer");
    assert_eq!(created.as_object().unwrap().len(), 2);

    let datasets = list(&server).await;
    assert_eq!(datasets.len(), 1);
    let listed = datasets[0].as_object().unwrap().clone();
    let opened_at = listed["opened_at"].as_str().unwrap().to_owned();
    assert!(opened_at.ends_with('Z'), "{opened_at}");
    enclave_server::timestamp::parse(&opened_at).expect("opened_at is RFC 3339");
    let mut expected = descriptor(FINGERPRINT_A);
    expected["id"] = json!(id);
    expected["open_count"] = json!(1);
    expected["opened_at"] = json!(opened_at);
    assert_eq!(Value::Object(listed), expected);

    // Same file, new server: still there.
    let dir = server.stop().await;
    let server = TestServer::start_in(dir).await;
    let datasets = list(&server).await;
    assert_eq!(datasets.len(), 1);
    assert_eq!(datasets[0]["id"], json!(id));
    assert_eq!(datasets[0]["fingerprint"], json!(FINGERPRINT_A));

    // And readable by the store itself.
    let db = server.db_path();
    let _dir = server.stop().await; // keeps the directory until the end of the test
    let stored = SqliteStore::open(&db).unwrap().list_datasets().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id.0, id);
    assert_eq!(stored[0].descriptor.fingerprint.as_str(), FINGERPRINT_A);
}

#[tokio::test]
async fn the_same_fingerprint_is_one_dataset_opened_twice() {
    let server = TestServer::start().await;
    let first = server
        .post_json("/api/v1/datasets", &descriptor(FINGERPRINT_A))
        .await;
    let mut other_descriptor = descriptor(FINGERPRINT_B);
    other_descriptor["format"] = json!("bcf");
    other_descriptor
        .as_object_mut()
        .unwrap()
        .remove("reference_build");
    let other = server
        .post_json("/api/v1/datasets", &other_descriptor)
        .await;
    let again = server
        .post_json("/api/v1/datasets", &descriptor(FINGERPRINT_A))
        .await;
    for reply in [&first, &other, &again] {
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    }
    assert_eq!(first.json()["first_seen"], json!(true));
    assert_eq!(other.json()["first_seen"], json!(true));
    assert_eq!(again.json()["first_seen"], json!(false));
    assert_eq!(again.json()["id"], first.json()["id"]);

    let datasets = list(&server).await;
    assert_eq!(datasets.len(), 2);
    // Most recently opened first.
    assert_eq!(datasets[0]["fingerprint"], json!(FINGERPRINT_A));
    assert_eq!(datasets[0]["open_count"], json!(2));
    assert_eq!(datasets[1]["fingerprint"], json!(FINGERPRINT_B));
    assert_eq!(datasets[1]["open_count"], json!(1));
    assert_eq!(datasets[1]["format"], json!("bcf"));
    assert_eq!(datasets[1]["reference_build"], Value::Null);
    server.stop().await;
}

#[tokio::test]
async fn unknown_fields_and_malformed_json_are_400() {
    let server = TestServer::start().await;
    let mut with_names = descriptor(FINGERPRINT_A);
    with_names["sample_names"] = json!(["NA12878"]);
    let reply = server.post_json("/api/v1/datasets", &with_names).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.error().contains("unknown field `sample_names`"),
        "{reply:?}"
    );

    let mut missing = descriptor(FINGERPRINT_A);
    missing.as_object_mut().unwrap().remove("record_count");
    let reply = server.post_json("/api/v1/datasets", &missing).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.error().contains("missing field `record_count`"),
        "{reply:?}"
    );

    let mut negative = descriptor(FINGERPRINT_A);
    negative["size_bytes"] = json!(-1);
    let reply = server.post_json("/api/v1/datasets", &negative).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");

    let reply = send(
        server.addr,
        Method::POST,
        "/api/v1/datasets",
        Some("application/json"),
        b"{\"format\": \"vcf\",".to_vec(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().starts_with("malformed JSON"), "{reply:?}");

    assert!(list(&server).await.is_empty(), "nothing refused is stored");
    server.stop().await;
}

#[tokio::test]
async fn invalid_values_are_422() {
    let server = TestServer::start().await;
    let cases = [
        ("fingerprint", json!("ABCDEF"), "fingerprint"),
        (
            "fingerprint",
            json!(FINGERPRINT_A.to_uppercase()),
            "lowercase hexadecimal",
        ),
        (
            "fingerprint",
            json!(format!("{}g", &FINGERPRINT_A[1..])),
            "fingerprint",
        ),
        ("format", json!("cram"), "format must be one of"),
        (
            "reference_build",
            json!("GRCh38; Jane Doe"),
            "reference_build",
        ),
        ("reference_build", json!("x".repeat(33)), "reference_build"),
        ("size_bytes", json!(u64::MAX), "size_bytes"),
    ];
    for (field, value, message) in cases {
        let mut body = descriptor(FINGERPRINT_A);
        body[field] = value.clone();
        let reply = server.post_json("/api/v1/datasets", &body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {reply:?}"
        );
        assert!(
            reply.error().contains(message),
            "{field}={value}: {reply:?}"
        );
    }
    assert!(list(&server).await.is_empty(), "nothing refused is stored");
    server.stop().await;
}

#[tokio::test]
async fn oversize_body_is_413_and_wrong_content_type_415() {
    let server = TestServer::start().await;
    let mut huge = descriptor(FINGERPRINT_A);
    huge["reference_build"] = json!("x".repeat(17 * 1024));
    let reply = server.post_json("/api/v1/datasets", &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.error().contains("16384 bytes"), "{reply:?}");

    let body = serde_json::to_vec(&descriptor(FINGERPRINT_A)).unwrap();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let reply = send(
            server.addr,
            Method::POST,
            "/api/v1/datasets",
            content_type,
            body.clone(),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert!(reply.error().contains("application/json"), "{reply:?}");
    }

    // Just under the limit is read (and then judged on its merits).
    let mut padded = serde_json::to_string(&descriptor(FINGERPRINT_A)).unwrap();
    padded.push_str(&" ".repeat(16 * 1024 - padded.len()));
    let reply = send(
        server.addr,
        Method::POST,
        "/api/v1/datasets",
        Some("application/json"),
        padded.into_bytes(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    server.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let server = TestServer::start().await;
    for path in ["/api/v1/nope", "/api/v2/datasets", "/api"] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            reply.error().contains("no such API route"),
            "{path}: {reply:?}"
        );
    }
    let reply = send(
        server.addr,
        Method::DELETE,
        "/api/v1/datasets",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error(), "method not allowed");
    assert!(reply.header("allow").contains("POST"), "{reply:?}");
    server.stop().await;
}
