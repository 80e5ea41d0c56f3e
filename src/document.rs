//! Local documents for `claimwire extract` and `claimwire article`: a file or
//! standard input, gunzipped when gzip, HTML reduced to its main text, and the id
//! a document is reported under.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::fetch::{decode, page};

/// A local document that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot gunzip {path}: {source}")]
    Gunzip {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The bytes of a local file or of standard input (`-`), gunzipped when gzip.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, DocumentError> {
    let read = |source| DocumentError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map_err(read)?;
    } else {
        bytes = std::fs::read(path).map_err(read)?;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|source| DocumentError::Gunzip {
                path: path.to_path_buf(),
                source,
            })?;
        bytes = out;
    }
    Ok(bytes)
}

/// The text of a local document: HTML goes through main-text extraction, other
/// bytes are decoded as text.
pub fn read_text(path: &Path) -> Result<String, DocumentError> {
    let bytes = read_bytes(path)?;
    Ok(if decode::holds_html(&bytes) {
        page::main_text(&bytes, None).text
    } else {
        decode::decode_html(&bytes, Some("text/plain; charset=utf-8"))
    })
}

/// The id a document is reported under: its file name without `.gz` and without
/// its extension; `-` for standard input.
pub fn doc_id(path: &Path) -> String {
    if path == Path::new("-") {
        return "-".into();
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_drop_gz_and_the_extension() {
        assert_eq!(doc_id(Path::new("/a/c-ar01.txt")), "c-ar01");
        assert_eq!(doc_id(Path::new("page.html.gz")), "page");
        assert_eq!(doc_id(Path::new("-")), "-");
    }

    #[test]
    fn html_and_gzip_are_read_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("p.html.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(
            &mut gz,
            b"<html><body><article><p>Police said 12 people were killed in the city on Monday, officials said.</p></article></body></html>",
        )
        .unwrap();
        std::fs::write(&html, gz.finish().unwrap()).unwrap();
        let text = read_text(&html).unwrap();
        assert!(text.contains("12 people were killed"), "{text}");
        assert!(!text.contains("<p>"), "{text}");
        let missing = read_text(&dir.path().join("none.txt")).unwrap_err();
        assert!(missing.to_string().starts_with("cannot read "), "{missing}");
    }
}
