//! The committed demo family (`static/demo/family.vcf`, `family.ped`) is what its generator
//! writes: regenerate with `cargo run -p enclave-bench -- family-demo static/demo` after
//! changing `bench/src/family.rs`.

use enclave_test_support::files;

#[test]
fn committed_demo_family_equals_the_generator() {
    let (vcf, ped) = enclave_bench::family::demo_family();
    let root = files::workspace_root().join("static/demo");
    for (name, text) in [("family.vcf", vcf), ("family.ped", ped)] {
        let committed = String::from_utf8(files::read(&root.join(name))).expect("text");
        assert!(
            committed == text,
            "static/demo/{name} differs from enclave_bench::family::demo_family(): run \
             `cargo run -p enclave-bench -- family-demo static/demo`"
        );
    }
}
