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
    pub(crate) fn create(target: &Path) -> Result<Self, Failure> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".s4e-").suffix(".part");
        // 0666 less the umask, as any new file gets, rather than a temporary
        // file's private 0600: reports are shared (CI artifacts, uploads).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
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
}
