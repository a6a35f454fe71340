//! `@file` in filter expressions (`ID=@ids.txt`): the CLI reads the named file from the file
//! system, relative to the working directory, as bcftools does.

use wasm_core::filter::FileSource;

/// Reads `@file` names as paths relative to the working directory.
pub struct WorkingDirFiles;

impl FileSource for WorkingDirFiles {
    fn read(&self, name: &str) -> Result<String, String> {
        std::fs::read_to_string(name).map_err(|e| format!("cannot read {name}: {e}"))
    }
}
