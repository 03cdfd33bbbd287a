#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QPair>
#include <QString>

#include <atomic>
#include <chrono>
#include <memory>

namespace lockstep::demoorg {

// A parsed request as the API handlers see it: the path already normalised (no "//", no
// trailing "/", percent-decoded), header names lower-case, the body decoded (chunked and gzip
// undone). Handlers run on worker threads and receive their own copy.
struct ServerRequest {
    QByteArray method;                            // upper case
    QByteArray target;                            // the raw request-target
    QString path;                                 // "/services/data/v62.0/sobjects/Account"
    QList<QPair<QString, QString>> query;         // decoded, in order
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-case
    QByteArray body;
    std::uint64_t sequence = 0;                   // 1, 2, ... in arrival order (fault injection)
    // When the whole request had been read: the start of the server's time for it, queueing for a
    // worker included (SObjectApi paces REST writes from here).
    std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
    // Set when the client closed its connection; long handlers may look, none must.
    std::shared_ptr<std::atomic_bool> clientGone = std::make_shared<std::atomic_bool>(false);

    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &[k, v] : headers)
            if (k == lowerName)
                return v;
        return {};
    }
    QString queryValue(const QString &name) const
    {
        for (const auto &[k, v] : query)
            if (k == name)
                return v;
        return {};
    }
    bool hasQuery(const QString &name) const
    {
        for (const auto &kv : query)
            if (kv.first == name)
                return true;
        return false;
    }
};

struct ServerResponse {
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    // Fault injection: answer only after this long, or close the connection without answering.
    std::chrono::milliseconds delay{0};
    bool dropConnection = false;

    ServerResponse &header(QByteArray name, QByteArray value)
    {
        headers.append({std::move(name), std::move(value)});
        return *this;
    }
    QByteArray contentType() const
    {
        for (const auto &[k, v] : headers)
            if (k.compare("Content-Type", Qt::CaseInsensitive) == 0)
                return v;
        return {};
    }

    static ServerResponse json(int status, const QJsonDocument &doc)
    {
        ServerResponse r;
        r.status = status;
        r.body = doc.toJson(QJsonDocument::Compact);
        r.header("Content-Type", "application/json;charset=UTF-8");
        return r;
    }
    static ServerResponse bytes(int status, QByteArray body, QByteArray contentType)
    {
        ServerResponse r;
        r.status = status;
        r.body = std::move(body);
        r.header("Content-Type", std::move(contentType));
        return r;
    }
    static ServerResponse empty(int status)
    {
        ServerResponse r;
        r.status = status;
        return r;
    }
};

} // namespace lockstep::demoorg
