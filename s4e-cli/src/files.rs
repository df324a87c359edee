//! Output files are written to a temporary file in the target's directory and
//! renamed over the target once complete, so an interrupted or failed run
//! never leaves a partial file (the temporary file is removed on drop).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exit::Failure;

/// A file being written; it appears at its path only on [`AtomicFile::commit`].
pub(crate) struct AtomicFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// A file created with the process's umask, as any tool's output file
    /// (a temporary file alone would be 0600).
    pub(crate) fn create(target: &Path) -> Result<Self, Failure> {
        Self::create_with(target, false)
    }

    /// A file only its owner may read (the config file, which may hold a
    /// key).
    pub(crate) fn create_private(target: &Path) -> Result<Self, Failure> {
        Self::create_with(target, true)
    }

    fn create_with(target: &Path, private: bool) -> Result<Self, Failure> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".s4e-").suffix(".part");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The mode is given to open(2), which applies the umask.
            let mode = if private { 0o600 } else { 0o666 };
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        #[cfg(not(unix))]
        let _ = private;
        let temp = builder
            .tempfile_in(dir)
            .map_err(|e| Failure::file(format!("creating a file in {}", dir.display()), e))?;
        Ok(AtomicFile {
            temp,
            target: target.to_owned(),
        })
    }

    /// A second handle on the temporary file, for async writers.
    pub(crate) fn handle(&self) -> Result<std::fs::File, Failure> {
        self.temp
            .as_file()
            .try_clone()
            .map_err(|e| Failure::file(format!("writing {}", self.target.display()), e))
    }

    /// Writes `bytes` and commits.
    pub(crate) fn write_all(mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.temp
            .write_all(bytes)
            .map_err(|e| Failure::file(format!("writing {}", self.target.display()), e))?;
        self.commit()
    }

    /// Moves the complete file to its path, replacing what was there.
    pub(crate) fn commit(self) -> Result<(), Failure> {
        let target = self.target;
        self.temp
            .as_file()
            .sync_all()
            .map_err(|e| Failure::file(format!("writing {}", target.display()), e))?;
        self.temp
            .persist(&target)
            .map(drop)
            .map_err(|e| Failure::file(format!("writing {}", target.display()), e.error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let file = AtomicFile::create(&target).unwrap();
        assert!(!target.exists());
        file.write_all(b"a,b\r\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\r\n");

        let abandoned = AtomicFile::create(&target).unwrap();
        drop(abandoned);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the abandoned temporary file is removed");
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\r\n");
    }

    #[cfg(unix)]
    #[test]
    fn output_files_follow_the_umask_and_the_config_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let shared = dir.path().join("out.csv");
        AtomicFile::create(&shared)
            .unwrap()
            .write_all(b"x")
            .unwrap();
        // The test process's umask is unknown but never masks the owner's
        // read and write; a file created by open(2) with 0666 shows it.
        let probe = dir.path().join("probe");
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&probe)
                .unwrap();
        }
        assert_eq!(
            mode(&shared),
            mode(&probe),
            "the umask applies, as to any file"
        );
        let private = dir.path().join("config.toml");
        AtomicFile::create_private(&private)
            .unwrap()
            .write_all(b"x")
            .unwrap();
        assert_eq!(mode(&private), 0o600);
    }
}
