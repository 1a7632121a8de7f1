"""json, sqlite3 (in memory) and ssl (a default context loads the CA bundle)."""
import json
import sqlite3
import ssl
from jobs.outcome import report


def run():
    db = sqlite3.connect(":memory:")
    db.execute("create table t (v integer)")
    db.executemany("insert into t values (?)", [(i,) for i in range(10)])
    (total,) = db.execute("select sum(v) from t").fetchone()
    ctx = ssl.create_default_context()
    certs = ctx.cert_store_stats()["x509_ca"]
    return json.dumps({"sqlite": total, "ca_certs": certs > 0, "openssl": ssl.OPENSSL_VERSION.split()[1]})


report("stdlib", run)
