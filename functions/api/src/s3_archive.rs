//! The S3 archive: signed invoices kept byte-exact for ten years in the tenant's bucket.
//!
//! Keys are content-addressed per tenant (`<tenant>/sha256/<hex>.xml`), so writing the same
//! invoice twice (a retry, the recovery sweep) stores one object. Uploads carry a SHA-256
//! checksum, which S3 verifies and which buckets with Object Lock (compliance mode, set by
//! `infra/`) require. Every SDK type stays in this file.

use crate::ports::{Archive, ArchiveError, sha256_hex};
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ChecksumAlgorithm;

pub struct S3Archive {
    client: Client,
    bucket: String,
}

/// The SDK's error with its cause chain.
fn error<E: std::error::Error>(e: E) -> ArchiveError {
    ArchiveError(crate::ports::error_chain(&e))
}

impl S3Archive {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3Archive {
            client,
            bucket: bucket.into(),
        }
    }
}

#[async_trait]
impl Archive for S3Archive {
    async fn put(&self, tenant: &str, bytes: &[u8]) -> Result<String, ArchiveError> {
        let key = format!("{tenant}/sha256/{}.xml", sha256_hex(bytes));
        // Already archived (content-addressed): nothing to write, and never a second version.
        let head = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(&key)
            .send()
            .await;
        match head {
            Ok(_) => return Ok(key),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) => return Err(error(e)),
        }
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/xml")
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map_err(error)?;
        Ok(key)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        match out {
            Ok(o) => Ok(Some(
                o.body.collect().await.map_err(error)?.into_bytes().to_vec(),
            )),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
            Err(e) => Err(error(e)),
        }
    }

    /// A `ListObjectsV2` of at most one key under the tenant's prefix: the bucket exists and
    /// the role reaches it. (Not `HeadBucket`: the role may list the tenant's prefix only, and
    /// `HeadBucket` names no prefix, so it would be denied.)
    async fn health(&self, tenant: &str) -> Result<(), ArchiveError> {
        self.client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("{tenant}/"))
            .max_keys(1)
            .send()
            .await
            .map(|_| ())
            .map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulators::Emulator;

    async fn client(moto: &Emulator) -> Client {
        let config = aws_sdk_s3::config::Builder::from(&moto.sdk_config().await)
            .force_path_style(true)
            .build();
        Client::from_conf(config)
    }

    #[tokio::test]
    async fn the_s3_archive_stores_exact_bytes_once_per_content_and_tenant() {
        let moto = Emulator::moto().await;
        let c = client(&moto).await;
        c.create_bucket()
            .bucket("hoadon-anphat-archive")
            .object_lock_enabled_for_bucket(true)
            .send()
            .await
            .unwrap();
        let archive = S3Archive::new(c.clone(), "hoadon-anphat-archive");

        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><HDon>Hóa đơn &amp; chữ ký\r\n</HDon>"
            .as_bytes();
        let key = archive.put("anphat", xml).await.unwrap();
        assert_eq!(key, format!("anphat/sha256/{}.xml", sha256_hex(xml)));
        assert_eq!(
            archive.get(&key).await.unwrap().as_deref(),
            Some(xml),
            "byte-exact"
        );
        // The same bytes again: the same key, still one object.
        assert_eq!(archive.put("anphat", xml).await.unwrap(), key);
        let listed = c
            .list_object_versions()
            .bucket("hoadon-anphat-archive")
            .send()
            .await
            .unwrap();
        assert_eq!(
            listed.versions().len(),
            1,
            "no second version of an archived invoice"
        );
        // Another tenant's copy lives under its own prefix.
        let other = archive.put("other", xml).await.unwrap();
        assert!(other.starts_with("other/sha256/"));
        assert_eq!(
            archive.get("anphat/sha256/missing.xml").await.unwrap(),
            None
        );
        let head = c
            .head_object()
            .bucket("hoadon-anphat-archive")
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_type(), Some("application/xml"));
    }
}
