//! HTTPS for the fake (feature `tls`): a certificate authority made at
//! start, whose PEM a test trusts, and a server certificate it signs;
//! HTTP/1.1 or HTTP/2 by ALPN.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use tokio_rustls::rustls;

/// How the fake serves HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tls {
    /// The names the server's certificate is for: DNS names or IP
    /// addresses (default: `127.0.0.1` and `localhost`). A name the client
    /// connects to that is not here is a name mismatch.
    pub names: Vec<String>,
    /// Whether the certificate expired (valid in 2000 only): a client must
    /// refuse it.
    pub expired: bool,
    /// Whether the server offers HTTP/2 (ALPN `h2`) besides HTTP/1.1.
    pub http2: bool,
}

impl Default for Tls {
    fn default() -> Self {
        Self {
            names: vec!["127.0.0.1".into(), "localhost".into()],
            expired: false,
            http2: true,
        }
    }
}

impl Tls {
    /// A certificate for `names` only.
    pub fn with_names(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.names = names.into_iter().map(Into::into).collect();
        self
    }

    /// An expired certificate.
    pub fn expired(mut self) -> Self {
        self.expired = true;
        self
    }

    /// Whether to offer HTTP/2.
    pub fn with_http2(mut self, http2: bool) -> Self {
        self.http2 = http2;
        self
    }
}

/// A running fake's TLS: its acceptor, the authority's PEM, and a count of
/// completed handshakes.
pub(crate) struct Server {
    pub acceptor: tokio_rustls::TlsAcceptor,
    pub ca_pem: String,
    pub handshakes: Arc<AtomicU64>,
}

impl Server {
    /// Makes the authority and the server's certificate.
    pub fn new(tls: &Tls) -> Result<Self, String> {
        let failed = |what: &str, err: &dyn std::fmt::Display| format!("cannot {what}: {err}");
        let ca_key = KeyPair::generate().map_err(|e| failed("make the authority's key", &e))?;
        let mut ca = CertificateParams::new(Vec::<String>::new())
            .map_err(|e| failed("describe the authority", &e))?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "liner-fake test authority");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca
            .self_signed(&ca_key)
            .map_err(|e| failed("sign the authority", &e))?;
        let issuer = Issuer::from_params(&ca, &ca_key);

        let key = KeyPair::generate().map_err(|e| failed("make the server's key", &e))?;
        let mut leaf = CertificateParams::new(tls.names.clone())
            .map_err(|e| failed("describe the server's certificate", &e))?;
        leaf.distinguished_name
            .push(DnType::CommonName, "liner-fake");
        if tls.expired {
            leaf.not_before = date_time_ymd(2000, 1, 1);
            leaf.not_after = date_time_ymd(2000, 12, 31);
        }
        let cert = leaf
            .signed_by(&key, &issuer)
            .map_err(|e| failed("sign the server's certificate", &e))?;

        let chain = vec![cert.der().clone(), ca_cert.der().clone()];
        let private = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der())
            .map_err(|e| failed("read the server's key", &e))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed("set up TLS", &e))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| failed("use the certificate", &e))?;
        config.alpn_protocols = if tls.http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(Self {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            ca_pem: ca_cert.pem(),
            handshakes: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Counts a completed handshake.
    pub fn count_handshake(handshakes: &AtomicU64) {
        handshakes.fetch_add(1, Ordering::Relaxed);
    }
}
