//! Integration tests of `enclave-server` over real TCP on 127.0.0.1 with a real SQLite file in a
//! temporary directory: security headers, static files, the metadata API and the built binary.

mod server {
    pub mod api;
    pub mod binary;
    pub mod headers;
    pub mod static_files;
    pub mod support;
}
