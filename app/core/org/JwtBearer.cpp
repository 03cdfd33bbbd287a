#include "org/JwtBearer.h"

#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace lockstep {

namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

struct BioFree {
    void operator()(BIO *b) const { BIO_free(b); }
};
struct KeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct X509Free {
    void operator()(X509 *x) const { X509_free(x); }
};
struct MdFree {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};

std::unique_ptr<BIO, BioFree> memoryOf(const QByteArray &pem)
{
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.constData(), int(pem.size())));
}

} // namespace

Result<QByteArray> JwtBearer::sign(const JwtClaims &claims, const QByteArray &privateKeyPem)
{
    auto bio = memoryOf(privateKeyPem);
    std::unique_ptr<EVP_PKEY, KeyFree> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key)
        return fail(ErrorKind::BadData, QStringLiteral("the JWT key is not a PEM private key (an unencrypted RSA key, as "
                                                       "'openssl genrsa' or 'openssl req -newkey rsa:2048 -nodes' writes it)"));
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
        return fail(ErrorKind::BadData, QStringLiteral("the JWT key is not an RSA key: Salesforce signs and checks RS256 only"));
    const QByteArray header = QJsonDocument(QJsonObject{{QStringLiteral("alg"), QStringLiteral("RS256")}}).toJson(QJsonDocument::Compact);
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("iss"), claims.issuer},
                                                      {QStringLiteral("sub"), claims.subject},
                                                      {QStringLiteral("aud"), claims.audience},
                                                      {QStringLiteral("exp"), claims.expires}})
                                .toJson(QJsonDocument::Compact);
    const QByteArray signingInput = header.toBase64(kBase64Url) + '.' + body.toBase64(kBase64Url);
    std::unique_ptr<EVP_MD_CTX, MdFree> md(EVP_MD_CTX_new());
    size_t length = 0;
    if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(md.get(), nullptr, &length, reinterpret_cast<const unsigned char *>(signingInput.constData()), size_t(signingInput.size())) != 1)
        return fail(ErrorKind::Internal, QStringLiteral("OpenSSL could not sign the JWT"));
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       reinterpret_cast<const unsigned char *>(signingInput.constData()), size_t(signingInput.size())) != 1)
        return fail(ErrorKind::Internal, QStringLiteral("OpenSSL could not sign the JWT"));
    signature.truncate(qsizetype(length));
    return signingInput + '.' + signature.toBase64(kBase64Url);
}

Result<JwtClaims> JwtBearer::verify(const QByteArray &assertion, const QByteArray &certificatePem)
{
    const QList<QByteArray> parts = assertion.split('.');
    if (parts.size() != 3)
        return fail(ErrorKind::BadData, QStringLiteral("not a JWT (header.claims.signature)"));
    const QJsonObject header = QJsonDocument::fromJson(QByteArray::fromBase64(parts[0], kBase64Url)).object();
    if (header.value(QStringLiteral("alg")).toString() != QLatin1String("RS256"))
        return fail(ErrorKind::BadData, QStringLiteral("the JWT is not signed with RS256"));
    auto bio = memoryOf(certificatePem);
    std::unique_ptr<X509, X509Free> certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!certificate)
        return fail(ErrorKind::BadData, QStringLiteral("the connected app's certificate is not a PEM X.509 certificate"));
    std::unique_ptr<EVP_PKEY, KeyFree> key(X509_get_pubkey(certificate.get()));
    const QByteArray signingInput = parts[0] + '.' + parts[1];
    const QByteArray signature = QByteArray::fromBase64(parts[2], kBase64Url);
    std::unique_ptr<EVP_MD_CTX, MdFree> md(EVP_MD_CTX_new());
    if (!key || !md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char *>(signature.constData()), size_t(signature.size()),
                         reinterpret_cast<const unsigned char *>(signingInput.constData()), size_t(signingInput.size())) != 1)
        return fail(ErrorKind::BadData, QStringLiteral("the JWT's signature does not verify against the connected app's certificate"));
    const QJsonObject body = QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], kBase64Url)).object();
    JwtClaims claims;
    claims.issuer = body.value(QStringLiteral("iss")).toString();
    claims.subject = body.value(QStringLiteral("sub")).toString();
    claims.audience = body.value(QStringLiteral("aud")).isArray() ? body.value(QStringLiteral("aud")).toArray().at(0).toString()
                                                                   : body.value(QStringLiteral("aud")).toString();
    claims.expires = body.value(QStringLiteral("exp")).toInteger();
    return claims;
}

} // namespace lockstep
