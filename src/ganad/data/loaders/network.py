"""Network-traffic data sets: NSL-KDD (DA3D's "KDD"), KDD Cup 99 10 % (Fence GAN), ISCX-URL2016
and CIRA-CIC-DoHBrw-2020, read from their original files and encoded as the published loaders did.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import DataFormatError
from .._io import (
    check_no_missing,
    convert_numeric,
    parse_delimited,
    read_arff,
    read_bytes,
)
from ..dataset import Dataset
from ..sources import DatasetInfo, RemoteFile, register_dataset
from ._common import NA_STRINGS, UCI_LICENCE, UNB_LICENCE, find_file, not_found, one_hot, with_gz

__all__ = ["KDD_COLUMNS", "load_doh", "load_kdd", "load_kdd99", "load_url"]

# The 41 KDD'99 connection features (kddcup.names; the same names head NSL-KDD's ARFF files).
KDD_COLUMNS: tuple[str, ...] = (
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "land",
    "wrong_fragment",
    "urgent",
    "hot",
    "num_failed_logins",
    "logged_in",
    "num_compromised",
    "root_shell",
    "su_attempted",
    "num_root",
    "num_file_creations",
    "num_shells",
    "num_access_files",
    "num_outbound_cmds",
    "is_host_login",
    "is_guest_login",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "srv_diff_host_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "dst_host_same_srv_rate",
    "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate",
    "dst_host_srv_diff_host_rate",
    "dst_host_serror_rate",
    "dst_host_srv_serror_rate",
    "dst_host_rerror_rate",
    "dst_host_srv_rerror_rate",
)
# Nominal attributes: NSL-KDD's ARFF header; Zenati et al.'s KDD'99 loader one-hots the same seven.
KDD_NOMINAL: tuple[str, ...] = (
    "protocol_type",
    "service",
    "flag",
    "land",
    "logged_in",
    "is_host_login",
    "is_guest_login",
)
KDD_NUMERIC: tuple[str, ...] = tuple(c for c in KDD_COLUMNS if c not in KDD_NOMINAL)

# Categories in the order of the NSL-KDD ARFF header (used for the .txt files, which have none).
NSL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "protocol_type": ("tcp", "udp", "icmp"),
    "service": (
        "aol",
        "auth",
        "bgp",
        "courier",
        "csnet_ns",
        "ctf",
        "daytime",
        "discard",
        "domain",
        "domain_u",
        "echo",
        "eco_i",
        "ecr_i",
        "efs",
        "exec",
        "finger",
        "ftp",
        "ftp_data",
        "gopher",
        "harvest",
        "hostnames",
        "http",
        "http_2784",
        "http_443",
        "http_8001",
        "imap4",
        "IRC",
        "iso_tsap",
        "klogin",
        "kshell",
        "ldap",
        "link",
        "login",
        "mtp",
        "name",
        "netbios_dgm",
        "netbios_ns",
        "netbios_ssn",
        "netstat",
        "nnsp",
        "nntp",
        "ntp_u",
        "other",
        "pm_dump",
        "pop_2",
        "pop_3",
        "printer",
        "private",
        "red_i",
        "remote_job",
        "rje",
        "shell",
        "smtp",
        "sql_net",
        "ssh",
        "sunrpc",
        "supdup",
        "systat",
        "telnet",
        "tftp_u",
        "tim_i",
        "time",
        "urh_i",
        "urp_i",
        "uucp",
        "uucp_path",
        "vmnet",
        "whois",
        "X11",
        "Z39_50",
    ),
    "flag": ("OTH", "REJ", "RSTO", "RSTOS0", "RSTR", "S0", "S1", "S2", "S3", "SF", "SH"),
    "land": ("0", "1"),
    "logged_in": ("0", "1"),
    "is_host_login": ("0", "1"),
    "is_guest_login": ("0", "1"),
}


# ---------------------------------------------------------------------------------------------
# NSL-KDD
# ---------------------------------------------------------------------------------------------


def _nsl_from_arff(
    path: Path,
) -> tuple[pd.DataFrame, np.ndarray, dict[str, tuple[str, ...]], np.ndarray]:
    arff = read_arff(path)
    names = [a.name for a in arff.attributes]
    if names != [*KDD_COLUMNS, "class"]:
        raise DataFormatError(
            f"{path}: attributes {names[:5]}... are not NSL-KDD's 41 features + 'class'."
        )
    check_no_missing(arff.frame, names, label=str(path), lines=arff.lines)
    # A nominal attribute always has its categories; the None check only narrows the type.
    categories = {
        a.name: a.categories
        for a in arff.attributes
        if a.kind == "nominal" and a.categories is not None
    }
    label = arff.frame.pop("class").to_numpy(dtype=str)
    return arff.frame, label, categories, arff.lines


def _nsl_from_txt(
    path: Path,
) -> tuple[pd.DataFrame, np.ndarray, dict[str, tuple[str, ...]], np.ndarray]:
    label = str(path)
    names = [*KDD_COLUMNS, "label", "difficulty"]
    frame, lines = parse_delimited(
        read_bytes(path, label=label),
        label=label,
        names=names,
        category_columns=[*KDD_NOMINAL, "label"],
        na_values=("",),
    )
    check_no_missing(frame, names, label=label, lines=lines)
    convert_numeric(frame, [*KDD_NUMERIC, "difficulty"], label=label, lines=lines)
    for col in KDD_NOMINAL:
        allowed = NSL_CATEGORIES[col]
        bad = ~frame[col].isin(allowed).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataFormatError(
                f"{label}: line {int(lines[i])}, column {names.index(col) + 1} ({col!r}): "
                f"{frame[col].iloc[i]!r} is not a known NSL-KDD value."
            )
    attack = frame.pop("label").to_numpy(dtype=str)
    frame.pop("difficulty")
    return frame, attack, dict(NSL_CATEGORIES), lines


# NSL-KDD: UNB hands the archive out after a form; the files below are byte-identical copies in a
# public git repository (git blob ids match the ones recorded in SOURCES.md).
_NSL_MIRROR = "https://raw.githubusercontent.com/lee191/AI_IDS/46efa7f0c8237621ec5e3fe2351bc0ee6099f7a7/NSL-KDD/"
_NSL_PAGE = "https://www.unb.ca/cic/datasets/nsl.html"


def _nsl(name: str, size: int, sha256: str, git_sha1: str, optional: bool = False) -> RemoteFile:
    return RemoteFile(
        path=f"nsl_kdd/{name}",
        urls=(_NSL_MIRROR + name.replace("+", "%2B"),),
        size=size,
        sha256=sha256,
        git_sha1=git_sha1,
        page=_NSL_PAGE,
        optional=optional,
        note="may also be stored gzip-compressed as " + name + ".gz",
    )


_NSL_FILES = (
    _nsl(
        "KDDTrain+.arff",
        18_744_510,
        "b62f83e288c6ac811718cdd94c9ace2f2d6be9294ad8184d1c372754432dbf6a",
        "44fe7be0ad49e4b006dd354ab25c70f5f2e7fa7b",
    ),
    _nsl(
        "KDDTest+.arff",
        3_368_089,
        "356577a52ee7e0f5d071048e1cec1bac8b3979ec3bbccb3a9b560d8fa454cd31",
        "91096868d8273fcc2fd5f2848c5429bd447b245b",
    ),
    _nsl(
        "KDDTrain+.txt",
        19_109_424,
        "1b86d2f957b33082081bba410fe129b475efebcc13c9014c3f447c8271aadf95",
        "20002897492adc110190a10509aa694f26f7f308",
        optional=True,
    ),
    _nsl(
        "KDDTest+.txt",
        3_441_513,
        "fa46b0935342616aa83b7c2578db355b6a7aaabbc492248172c7a1e8b7ab8f84",
        "b30e89605285a5ccd8cf8fd38dba72906c20d3dd",
        optional=True,
    ),
)


NSL_KDD = DatasetInfo(
    "kdd",
    "NSL-KDD (DA3D's 'KDD'): normal traffic vs attacks, ARFF files, nominal attributes one-hot",
    "125,973 train + 22,544 test records, 41 attributes (126 features after one-hot)",
    _NSL_PAGE,
    UNB_LICENCE + " (Tavallaee et al., CISDA 2009)",
    "tabular",
    _NSL_FILES,
    alternatives=(
        "any file may be stored as .gz",
        "source='txt' reads KDDTrain+.txt/KDDTest+.txt",
    ),
    aliases=("nsl_kdd", "nsl-kdd"),
    paper_names=("KDD",),
)


@register_dataset(NSL_KDD)
def load_kdd(root: Path, *, source: str = "arff") -> Dataset:
    """NSL-KDD, KDDTrain+ (train) and KDDTest+ (official test), as DA3D's `NSL_KDD` loader.

    `source="arff"` (DA3D's files): class normal/anomaly; the normal class's fine label is
    `protocol_type` (DA3D's sub-labels), anomalies are "anomaly". `source="txt"`: the same rows with
    the attack name as the anomalies' fine label. Every nominal attribute (protocol_type, service,
    flag, land, logged_in, is_host_login, is_guest_login) is one-hot encoded over the categories
    declared in the ARFF header: 34 numeric + 92 one-hot = 126 features.

    Parameters
    ----------
    root : pathlib.Path
        The data root; `nsl_kdd/KDDTrain+.<source>` and `nsl_kdd/KDDTest+.<source>` are read
        (`.gz` or not).
    source : {"arff", "txt"}, default "arff"
        Which copy of the files to read; they differ only in the fine labels (see above).

    Returns
    -------
    Dataset
        float32 features, KDDTest+ as the official test part, attacks anomalous (y = 1).
    """
    if source not in ("arff", "txt"):
        raise ValueError(f"source must be 'arff' or 'txt', got {source!r}.")
    reader = _nsl_from_arff if source == "arff" else _nsl_from_txt
    paths = []
    for part in ("KDDTrain+", "KDDTest+"):
        found = find_file(root, with_gz(f"nsl_kdd/{part}.{source}"))
        if found is None:
            raise not_found("kdd", root, with_gz(f"nsl_kdd/{part}.{source}"))
        paths.append(found)
    train, y_train_raw, categories, _ = reader(paths[0])
    test, y_test_raw, _, _ = reader(paths[1])
    encoded = []
    for frame, raw in ((train, y_train_raw), (test, y_test_raw)):
        X, names = one_hot(frame, KDD_NUMERIC, KDD_NOMINAL, categories)
        y = (raw != "normal").astype(np.int64)
        fine = np.where(y == 0, frame["protocol_type"].to_numpy(dtype=str), raw)
        encoded.append((X, y, fine.astype(str)))
    (X_tr, y_tr, f_tr), (X_te, y_te, f_te) = encoded
    return Dataset(
        name="kdd",
        X=X_tr,
        y=y_tr,
        fine_labels=f_tr,
        kind="tabular",
        feature_names=names,
        categorical=list(KDD_NOMINAL),
        X_test=X_te,
        y_test=y_te,
        fine_test=f_te,
        description=f"NSL-KDD ({source}): KDDTrain+ / KDDTest+, attacks anomalous",
        source=NSL_KDD.source,
        files=tuple(str(p) for p in paths),
        meta={"source": source},
    )


# ---------------------------------------------------------------------------------------------
# KDD Cup 99, 10 %
# ---------------------------------------------------------------------------------------------


_KDD99_FILES = (
    RemoteFile(
        path="kdd99/kddcup.data_10_percent.gz",
        urls=(
            "http://kdd.ics.uci.edu/databases/kddcup99/kddcup.data_10_percent.gz",
            "https://ndownloader.figshare.com/files/5976042",
        ),
        size=2_144_903,
        sha256="8045aca0d84e70e622d1148d7df782496f6333bf6eb979a1b0837c42a9fd9561",
        md5="c421989ff187d340c1265ac3080a3229",
        page="https://archive.ics.uci.edu/dataset/130/kdd+cup+1999+data",
    ),
)


KDD99 = DatasetInfo(
    "kdd99",
    "KDD Cup 99 10 % (Fence GAN): attacks are the normal class, normal traffic the anomaly",
    "494,021 records, 41 attributes (121 features after one-hot)",
    "https://archive.ics.uci.edu/dataset/130/kdd+cup+1999+data",
    UCI_LICENCE,
    "tabular",
    _KDD99_FILES,
    alternatives=(
        "kdd99/kddcup.data_10_percent (uncompressed)",
        "kdd99/kddcup.data_10_percent_corrected",
    ),
    protocols=("fence_gan", "da3d", "unsupervised"),
    aliases=("kddcup99",),
)


@register_dataset(KDD99)
def load_kdd99(root: Path) -> Dataset:
    """KDD Cup 99 10 %, encoded as Zenati et al.'s loader (the protocol Fence GAN follows).

    The seven nominal columns are one-hot encoded over the values present in the file (sorted, as
    `pd.get_dummies`), appended after the 34 numeric columns: 121 features. Roles are reversed as
    in [FG] §IV.D: attacks are the normal class (y = 0), `normal.` traffic is the anomaly (y = 1).
    The fine labels are the file's labels (`smurf.`, `normal.`, ...).

    Parameters
    ----------
    root : pathlib.Path
        The data root; `kdd99/kddcup.data_10_percent(.gz)` (or the `_corrected` variant) is
        read.

    Returns
    -------
    Dataset
        float32 features of all rows (no official test part), `normal.` traffic as y = 1.
    """
    candidates = [
        "kdd99/kddcup.data_10_percent.gz",
        "kdd99/kddcup.data_10_percent",
        "kdd99/kddcup.data_10_percent_corrected",
        "kdd99/kddcup.data_10_percent_corrected.gz",
    ]
    path = find_file(root, candidates)
    if path is None:
        raise not_found("kdd99", root, candidates)
    label = str(path)
    names = [*KDD_COLUMNS, "label"]
    frame, lines = parse_delimited(
        read_bytes(path),
        label=label,
        names=names,
        category_columns=[*KDD_NOMINAL, "label"],
        na_values=("",),
    )
    check_no_missing(frame, names, label=label, lines=lines)
    convert_numeric(frame, KDD_NUMERIC, label=label, lines=lines)
    raw = frame.pop("label").to_numpy(dtype=str)
    if not np.char.endswith(raw, ".").all():
        i = int(np.flatnonzero(~np.char.endswith(raw, "."))[0])
        raise DataFormatError(
            f"{label}: line {int(lines[i])}, column 42 ('label'): {str(raw[i])!r} lacks the trailing dot "
            "of KDD Cup 99 labels (is this an NSL-KDD file? use 'kdd')."
        )
    categories = {c: _sorted_values(frame[c]) for c in KDD_NOMINAL}
    X, feature_names = one_hot(frame, KDD_NUMERIC, KDD_NOMINAL, categories)
    y = (raw == "normal.").astype(np.int64)
    return Dataset(
        name="kdd99",
        X=X,
        y=y,
        fine_labels=raw,
        kind="tabular",
        feature_names=feature_names,
        categorical=list(KDD_NOMINAL),
        description="KDD Cup 99 10 %: attacks = normal class, 'normal.' traffic = anomaly (Fence GAN)",
        source=KDD99.source,
        files=(label,),
        meta={"roles": "attack is normal (y=0), non-attack is anomalous (y=1)"},
    )


def _value_strings(series: pd.Series) -> np.ndarray:
    """Values as strings, integral floats without ".0" (DA3D's sub-labels are "0", "1", ...)."""
    values = series.to_numpy()
    if values.dtype.kind == "f" and np.all(np.mod(values, 1) == 0):
        values = values.astype(np.int64)
    return values.astype(str)


def _sorted_values(series: pd.Series) -> list[str]:
    """Sorted distinct values, numerically if they all are numbers (as get_dummies on int columns)."""
    values = series.dropna().unique().tolist()
    try:
        return sorted(values, key=lambda v: (float(v), v))
    except ValueError:
        return sorted(values)


# ---------------------------------------------------------------------------------------------
# ISCX-URL2016
# ---------------------------------------------------------------------------------------------

URL_LABEL = "URL_Type_obf_Type"


def _read_header_csv(path: Path, required: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    label = str(path)
    frame, lines = parse_delimited(read_bytes(path), label=label, header=True, na_values=NA_STRINGS)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataFormatError(
            f"{label}: missing column(s) {missing} (the header has {len(frame.columns)} columns: "
            f"{list(frame.columns)[:8]}...)."
        )
    return frame, lines


_URL_FILES = (
    RemoteFile(
        path="url/All.csv",
        page="https://www.unb.ca/cic/datasets/url-2016.html",
        note="from ISCXURL2016.zip (UNB form), member FinalDataset/All.csv",
    ),
)


URL = DatasetInfo(
    "url",
    "ISCX-URL2016: benign URLs normal, defacement/malware/phishing/spam anomalous",
    "about 36,700 URLs x 79 lexical features (NaN columns dropped)",
    "https://www.unb.ca/cic/datasets/url-2016.html",
    UNB_LICENCE + " (Mamun et al., NSS 2016)",
    "tabular",
    _URL_FILES,
    alternatives=("url/FinalDataset/All.csv",),
    paper_names=("URL",),
)


@register_dataset(URL)
def load_url(root: Path) -> Dataset:
    """ISCX-URL2016 `All.csv` as DA3D's `URL` loader: ±inf -> NaN, then every column holding a NaN
    is dropped (decision A-18). Benign URLs are normal (fine label: `ldl_domain`, DA3D's
    sub-labels); Defacement, malware, phishing and spam are anomalous (fine label: the type).

    Parameters
    ----------
    root : pathlib.Path
        The data root; `url/All.csv` (or `url/FinalDataset/All.csv`, `url/All.csv.gz`) is read.

    Returns
    -------
    Dataset
        float32 features (no official test part); the dropped columns in ``meta``.
    """
    candidates = ["url/All.csv", "url/FinalDataset/All.csv", "url/All.csv.gz"]
    path = find_file(root, candidates)
    if path is None:
        raise not_found("url", root, candidates)
    frame, lines = _read_header_csv(path, (URL_LABEL,))
    check_no_missing(frame, [URL_LABEL], label=str(path), lines=lines)
    labels = frame.pop(URL_LABEL)
    convert_numeric(frame, list(frame.columns), label=str(path), lines=lines)
    frame = frame.replace([np.inf, -np.inf], np.nan)
    dropped = [str(c) for c in frame.columns if frame[c].isna().any()]
    frame = frame.drop(columns=dropped)
    raw = labels.astype(str).to_numpy()
    y = (raw != "benign").astype(np.int64)
    if "ldl_domain" in frame.columns:
        fine = np.where(y == 0, _value_strings(frame["ldl_domain"]), raw)
    else:
        fine = raw
    return Dataset(
        name="url",
        X=frame.to_numpy(dtype=np.float32),
        y=y,
        fine_labels=fine.astype(str),
        kind="tabular",
        feature_names=[str(c) for c in frame.columns],
        description="ISCX-URL2016 All.csv: benign normal, defacement/malware/phishing/spam anomalous",
        source=URL.source,
        files=(str(path),),
        meta={"dropped_nan_columns": dropped},
    )


# ---------------------------------------------------------------------------------------------
# CIRA-CIC-DoHBrw-2020 (layer 2)
# ---------------------------------------------------------------------------------------------

DOH_DROP = ("SourceIP", "DestinationIP", "SourcePort", "DestinationPort")


def _read_doh(path: Path) -> pd.DataFrame:
    frame, lines = _read_header_csv(path, (*DOH_DROP, "TimeStamp", "Label"))
    label = str(path)
    check_no_missing(frame, ["TimeStamp", "Label"], label=label, lines=lines)
    stamps = pd.to_datetime(frame["TimeStamp"], errors="coerce", format="ISO8601")
    if stamps.isna().any():
        i = int(np.flatnonzero(stamps.isna().to_numpy())[0])
        column = frame.columns.get_loc("TimeStamp") + 1
        raise DataFormatError(
            f"{label}: line {int(lines[i])}, column {column} ('TimeStamp'): "
            f"{frame['TimeStamp'].iloc[i]!r} is not a timestamp."
        )
    features = [c for c in frame.columns if c not in (*DOH_DROP, "TimeStamp", "Label")]
    convert_numeric(frame, features, label=label, lines=lines)
    frame = frame.drop(columns=list(DOH_DROP))
    frame.index = pd.DatetimeIndex(stamps, name="TimeStamp")
    return frame.drop(columns=["TimeStamp"])


_DOH_FILES = (
    RemoteFile(
        path="doh/l2-benign.csv",
        page="https://www.unb.ca/cic/datasets/dohbrw-2020.html",
        note="CIRA-CIC-DoHBrw-2020, layer 2 (UNB form)",
    ),
    RemoteFile(
        path="doh/l2-malicious.csv",
        page="https://www.unb.ca/cic/datasets/dohbrw-2020.html",
        note="CIRA-CIC-DoHBrw-2020, layer 2 (UNB form)",
    ),
)


DOH = DatasetInfo(
    "doh",
    "CIRA-CIC-DoHBrw-2020 layer 2: benign DoH normal, malicious DoH anomalous (+ week feature)",
    "about 19,800 benign + 249,800 malicious flows x 29 features",
    "https://www.unb.ca/cic/datasets/dohbrw-2020.html",
    UNB_LICENCE + " (MontazeriShatoori et al., 2020)",
    "tabular",
    _DOH_FILES,
    paper_names=("DoH",),
)


@register_dataset(DOH)
def load_doh(root: Path) -> Dataset:
    """CIRA-CIC-DoHBrw-2020 layer 2 (`l2-benign.csv` + `l2-malicious.csv`) as DA3D's `DoH` loader.

    IP addresses and ports are dropped, ±inf -> NaN, rows with a NaN are dropped, and the ISO week
    of the timestamp is appended as a feature (decision A-19) and is the benign rows' fine label.

    Parameters
    ----------
    root : pathlib.Path
        The data root; `doh/l2-benign.csv` and `doh/l2-malicious.csv` (`.gz` or not) are read.

    Returns
    -------
    Dataset
        float32 features (no official test part), malicious rows as y = 1.
    """
    paths = []
    for name in ("l2-benign.csv", "l2-malicious.csv"):
        found = find_file(root, with_gz(f"doh/{name}"))
        if found is None:
            raise not_found("doh", root, [f"doh/{name}", f"doh/{name}.gz"])
        paths.append(found)
    frame = pd.concat([_read_doh(p) for p in paths])
    n_before = len(frame)
    frame = frame.replace([np.inf, -np.inf], np.nan).dropna(axis=0)
    labels = frame.pop("Label").astype(str).to_numpy()
    frame["week"] = frame.index.isocalendar().week.astype(np.int64).to_numpy()
    y = (labels != "Benign").astype(np.int64)
    fine = np.where(y == 0, frame["week"].astype(str).to_numpy(), labels)
    return Dataset(
        name="doh",
        X=frame.to_numpy(dtype=np.float32),
        y=y,
        fine_labels=fine.astype(str),
        kind="tabular",
        feature_names=[str(c) for c in frame.columns],
        description="CIRA-CIC-DoHBrw-2020 layer 2: benign normal, malicious anomalous (+ week)",
        source=DOH.source,
        files=tuple(str(p) for p in paths),
        meta={"rows_dropped_nan": n_before - len(frame)},
    )
