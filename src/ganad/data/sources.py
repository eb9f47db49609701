"""Registry of the public data sets: description, size, publisher, licence and the files to obtain.

Checksums: the sha256 values of the files staged for this project are taken from
`shared/datasets/SOURCES.md` (for NSL-KDD, which is staged gzip-compressed, the sha256 is of the
decompressed original, computed from the staged copy). CIFAR-10's md5 is the one published on the
CIFAR page, its sha256 was recorded by several independent mirrors; CoverType's and KDD'99's sha256
are scikit-learn's. Where no checksum is published (EMNIST's 743 MB `matlab.zip`) `fetch` refuses to
download unless called with `verify=False`. Sets behind a login or a form (Kaggle, UNB/CIC) have no
URL; `fetch` then explains where to get the file and where to put it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DATASETS", "DatasetInfo", "RemoteFile", "adbench_name", "get_info"]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set.

    `path` is relative to the data root and is where `fetch` writes the file (and where the loaders
    look first). `urls` are tried in order; an empty tuple means the file cannot be downloaded
    without a login/form (`page` says where to get it). `sha256`/`md5`/`git_sha1` (the git blob id,
    for files only known from a git repository) are checked when present; `size` in bytes.
    """

    path: str
    urls: tuple[str, ...] = ()
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    git_sha1: str | None = None
    page: str = ""
    optional: bool = False
    note: str = ""

    @property
    def has_checksum(self) -> bool:
        return bool(self.sha256 or self.md5 or self.git_sha1)

    @property
    def downloadable(self) -> bool:
        return bool(self.urls)


@dataclass(frozen=True)
class DatasetInfo:
    """What `list_datasets()` shows and `fetch()` uses.

    `files` are the files `fetch` obtains (their layout under the data root is the one the loaders
    read); `alternatives` lists other accepted formats/locations in words.
    """

    name: str
    description: str
    size: str
    source: str
    licence: str
    kind: str
    files: tuple[RemoteFile, ...]
    alternatives: tuple[str, ...] = ()
    protocols: tuple[str, ...] = ("da3d", "unsupervised")
    citation: str = ""
    bundled: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def one_line(self) -> str:
        return f"{self.name:<22} {self.description} [{self.size}]"


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_FMNIST_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)


def _mirrored(
    folder: str, name: str, mirrors: tuple[str, ...], size: int, sha256: str, md5: str = ""
) -> RemoteFile:
    return RemoteFile(
        path=f"{folder}/{name}",
        urls=tuple(m + name for m in mirrors),
        size=size,
        sha256=sha256,
        md5=md5 or None,
    )


_MNIST_FILES = (
    _mirrored(
        "mnist",
        "train-images-idx3-ubyte.gz",
        _MNIST_MIRRORS,
        9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    ),
    _mirrored(
        "mnist",
        "train-labels-idx1-ubyte.gz",
        _MNIST_MIRRORS,
        28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    _mirrored(
        "mnist",
        "t10k-images-idx3-ubyte.gz",
        _MNIST_MIRRORS,
        1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    _mirrored(
        "mnist",
        "t10k-labels-idx1-ubyte.gz",
        _MNIST_MIRRORS,
        4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
)

_FMNIST_FILES = (
    _mirrored(
        "fashion_mnist",
        "train-images-idx3-ubyte.gz",
        _FMNIST_MIRRORS,
        26_421_880,
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    ),
    _mirrored(
        "fashion_mnist",
        "train-labels-idx1-ubyte.gz",
        _FMNIST_MIRRORS,
        29_515,
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    ),
    _mirrored(
        "fashion_mnist",
        "t10k-images-idx3-ubyte.gz",
        _FMNIST_MIRRORS,
        4_422_102,
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    ),
    _mirrored(
        "fashion_mnist",
        "t10k-labels-idx1-ubyte.gz",
        _FMNIST_MIRRORS,
        5_148,
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    ),
)

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

_CENSUS_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/census-income-mld/"
_CENSUS_GIT = "https://raw.githubusercontent.com/drawbridge/keras-mmoe/2718f56e4313716fd3a86e9510bc2df0cc366238/data/"
_CENSUS_FILES = (
    RemoteFile(
        path="census/census-income.test.gz",
        urls=(_CENSUS_UCI + "census-income.test.gz", _CENSUS_GIT + "census-income.test.gz"),
        size=3_261_416,
        sha256="5ac4cacd3ca9f1ecb10de1a0a41e4ac68fdc419e3fec190f5c0c6cc03b2ea659",
        page="https://archive.ics.uci.edu/dataset/117/census+income+kdd",
    ),
    RemoteFile(
        path="census/census-income.data.gz",
        urls=(_CENSUS_GIT + "census-income.data.gz", _CENSUS_UCI + "census-income.data.gz"),
        git_sha1="57d8bff516af70a99c0cd5b31bde3168b592cffb",
        page="https://archive.ics.uci.edu/dataset/117/census+income+kdd",
        optional=True,
        note="only needed for the corrected protocol (census_train_file='data'); "
        "verified by its git blob id (no published sha256)",
    ),
)

_COVTYPE_FILES = (
    RemoteFile(
        path="covtype/covtype.data.gz",
        urls=(
            "https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz",
            "https://ndownloader.figshare.com/files/5976039",
        ),
        sha256="614360d0257557dd1792834a85a1cdebfadc3c4f30b011d56afee7ffb5b15771",
        page="https://archive.ics.uci.edu/dataset/31/covertype",
    ),
)

_CIFAR_FILES = (
    RemoteFile(
        path="cifar10/cifar-10-binary.tar.gz",
        urls=("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",),
        size=170_052_171,
        md5="c32a1d4ab5d03f1284b67883e8d87530",
        sha256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
        page="https://www.cs.toronto.edu/~kriz/cifar.html",
        note="read directly from the archive (never extracted)",
    ),
)

_EMNIST_FILES = (
    RemoteFile(
        path="emnist/matlab.zip",
        urls=("https://biometrics.nist.gov/cs_links/EMNIST/matlab.zip",),
        page="https://www.nist.gov/itl/products-and-services/emnist-dataset",
        note="about 743 MB; no checksum is published (fetch needs verify=False). Only the member "
        "matlab/emnist-letters.mat is read; it may also be placed as emnist/emnist-letters.mat",
    ),
)

_CREDITCARD_FILES = (
    RemoteFile(
        path="creditcard/creditcard.csv",
        page="https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud",
        note="Kaggle download needs a login: unzip creditcard.csv (about 144 MiB) into this folder",
    ),
)

_URL_FILES = (
    RemoteFile(
        path="url/All.csv",
        page="https://www.unb.ca/cic/datasets/url-2016.html",
        note="from ISCXURL2016.zip (UNB form), member FinalDataset/All.csv",
    ),
)

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

_ADBENCH_BASE = (
    "https://github.com/Minqi824/ADBench/raw/3dac8221081e190f157d78e93bfa8867f90d0965/"
    "adbench/datasets/Classical/"
)
# (file, size, sha256, n, d, anomalies) from shared/datasets/SOURCES.md
_ADBENCH_TABLE: tuple[tuple[str, int, str, int, int, int], ...] = (
    (
        "2_annthyroid.npz",
        66_547,
        "e738f7c58a8740d2c4aac4c71ff49ce5e1d1aa16f44178135fc9c09df05fad1b",
        7200,
        6,
        534,
    ),
    (
        "4_breastw.npz",
        3_023,
        "4f37ce07dbc25ddad8178fdc6d664ab46d2d0000ee28c2787c3c7ff3c03ef9f6",
        683,
        9,
        239,
    ),
    (
        "6_cardio.npz",
        68_471,
        "bc5009bde6930b4d298b594f31b34485a9a17210cff0e8fb00a8c3068b885a2d",
        1831,
        21,
        176,
    ),
    (
        "10_cover.npz",
        2_537_258,
        "945a097c3542ae81a551bf1c06dcad78a755d94f84fcaf1d60687e42d1a656df",
        286048,
        10,
        2747,
    ),
    (
        "14_glass.npz",
        10_755,
        "aa7a8db1d475ba01a10488af454bc15220a3d5951b010b03b7020567d8152cdc",
        214,
        7,
        9,
    ),
    (
        "15_Hepatitis.npz",
        1_644,
        "4a87a2f7d8013e5bfde63294fae61ec7a612322de72f338a7f9491749025ad98",
        80,
        19,
        13,
    ),
    (
        "16_http.npz",
        2_179_269,
        "9d98710091551587f4740cfc851a6b064fff6319a337c2dc77ee6da4bcc2e02c",
        567498,
        3,
        2211,
    ),
    (
        "18_Ionosphere.npz",
        42_913,
        "bca46cb0cfd1bf9ddef6cde5ad2215d54fb0189508d0d4c4eb98e788cad69001",
        351,
        32,
        126,
    ),
    (
        "20_letter.npz",
        23_946,
        "f986d3da80cf1fa2aea83a5ebe73b7d4800e0d4c01fdd1ae074b58d20f10d039",
        1600,
        32,
        100,
    ),
    (
        "21_Lymphography.npz",
        1_895,
        "dad977b04f4ea65b78ccd0e9f76b45175bad605165b37e63f3cc177845e67037",
        148,
        18,
        6,
    ),
    (
        "22_magic.gamma.npz",
        1_296_704,
        "0be375984d7af9ea7a63b12206c240840d8b7daa3607021c5fb8756407dd86f1",
        19020,
        10,
        6688,
    ),
    (
        "23_mammography.npz",
        166_764,
        "a0308ac9712d78321073b1c2dc98dc37665c0f35c1cc33019416fe8f8d7de7ea",
        11183,
        6,
        260,
    ),
    (
        "24_mnist.npz",
        455_359,
        "be7706272325fdd3592c1be555ae1a82f916a2f8545f4f8cbaa548ab102cc44c",
        7603,
        100,
        700,
    ),
    (
        "25_musk.npz",
        736_255,
        "2ed3f4392197b76a1e59116ff880c7720a4b026cf4842073a53b56fdea265017",
        3062,
        166,
        97,
    ),
    (
        "28_pendigits.npz",
        653_509,
        "c4936b89dcdad59d303020e492f763a0f54170080d787c77497609acbb9c2d79",
        6870,
        16,
        156,
    ),
    (
        "29_Pima.npz",
        11_023,
        "215454bb263a2f040945c9ea7bd7f06f1e89a61a3143bdb6f196e3887e801a7d",
        768,
        8,
        268,
    ),
    (
        "30_satellite.npz",
        129_874,
        "1f048f5686f1b8c16a227fdfa3c81a62cd9a92715714a6b24c69b1c5ad96b46e",
        6435,
        36,
        2036,
    ),
    (
        "31_satimage-2.npz",
        181_405,
        "1b056e357f801b8b20c3f380a30224a3c4088d7ed764ec5a24828dc9b1918d6f",
        5803,
        36,
        71,
    ),
    (
        "32_shuttle.npz",
        332_929,
        "26900b0f6be45d9ddb7a402c9b2f956ceda42d23a8ca4cf4406b8bc1352823d1",
        49097,
        9,
        3511,
    ),
    (
        "34_smtp.npz",
        496_392,
        "d2569fc9bc12115419e3f5b37d19921e10e6c26e5ad1e61064cfb0fbc402dfdd",
        95156,
        3,
        30,
    ),
    (
        "35_SpamBase.npz",
        152_038,
        "d0c46c7928e43f6496bcd06e09de0b70f6bc8143792dfa0a43f450263d254e9b",
        4207,
        57,
        1679,
    ),
    (
        "38_thyroid.npz",
        39_882,
        "8de161b3f235b7647bb0b39a836d983ff61d67bf234edac461da2d71e889cb87",
        3772,
        6,
        93,
    ),
    (
        "39_vertebral.npz",
        4_868,
        "0816286f92b96fe6867664a41a031ac7228dcfbf1a5feefe50ca3883b2e9073d",
        240,
        6,
        30,
    ),
    (
        "40_vowels.npz",
        134_268,
        "4bfc4244d1c882773bbbc50d4a5db5e52276e53506e46b2d45e02d074cfcb1b6",
        1456,
        12,
        50,
    ),
    (
        "42_WBC.npz",
        1_444,
        "650f9dcb129248f67a291be0974f533ef259fcbde50fce5c8ad2a1cb2652d03b",
        223,
        9,
        10,
    ),
    (
        "43_WDBC.npz",
        46_770,
        "78d4606a1ab516f5b60b00c196497f3bbd6bd5e4548fd04cf5f2475209b34b85",
        367,
        30,
        10,
    ),
    (
        "45_wine.npz",
        4_072,
        "d5ad8965d92cc57122fe1e6572bb301adbaf795b3e166d187ae00a704d8f6e20",
        129,
        13,
        10,
    ),
)


def adbench_name(filename: str) -> str:
    """`"6_cardio.npz"` -> `"cardio"` (lower case; the registry key is `adbench:<this>`)."""
    stem = filename.removesuffix(".npz")
    _, _, rest = stem.partition("_")
    return (rest or stem).lower()


def _adbench_file(filename: str, size: int, sha256: str) -> RemoteFile:
    return RemoteFile(
        path=f"adbench/{filename}",
        urls=(_ADBENCH_BASE + filename,),
        size=size,
        sha256=sha256,
        page="https://github.com/Minqi824/ADBench",
    )


_ADBENCH_LICENCE = "ADBench repository BSD-2-Clause; the data keep their original (ODDS/UCI) terms"
_MAMMO_ROW = next(r for r in _ADBENCH_TABLE if r[0] == "23_mammography.npz")

# ---------------------------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------------------------

_UCI_LICENCE = "CC BY 4.0 (UCI Machine Learning Repository)"
_UNB_LICENCE = "UNB/CIC terms: free for research; cite the data set's paper"

_NAMED: tuple[DatasetInfo, ...] = (
    DatasetInfo(
        "mnist",
        "MNIST digits; DA3D: 0-4 normal, 5-9 anomalous; Fence GAN: one digit anomalous",
        "70,000 images 28x28 (60,000 train + 10,000 test)",
        "http://yann.lecun.com/exdb/mnist/",
        "no licence stated by the authors; commonly cited as CC BY-SA 3.0",
        "image",
        _MNIST_FILES,
        alternatives=(
            "mnist/mnist.npz (Keras: x_train, y_train, x_test, y_test; sha256 "
            "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1, "
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz)",
            "uncompressed idx files of the same names without .gz",
        ),
        protocols=("da3d", "fence_gan", "unsupervised"),
        citation="LeCun, Bottou, Bengio, Haffner (1998)",
    ),
    DatasetInfo(
        "fmnist",
        "Fashion-MNIST; DA3D: classes 0-4 normal, 5-9 anomalous",
        "70,000 images 28x28 (60,000 train + 10,000 test)",
        "https://github.com/zalandoresearch/fashion-mnist",
        "MIT (Zalando SE)",
        "image",
        _FMNIST_FILES,
        alternatives=(
            "fashion_mnist/fashion_mnist.npz (x_train, y_train, x_test, y_test)",
            "uncompressed idx files of the same names without .gz",
        ),
        protocols=("da3d", "fence_gan", "unsupervised"),
        citation="Xiao, Rasul, Vollgraf (2017)",
    ),
    DatasetInfo(
        "emnist",
        "EMNIST letters; DA3D: A-M normal, N-Z anomalous",
        "145,600 images 28x28 (124,800 train + 20,800 test)",
        "https://www.nist.gov/itl/products-and-services/emnist-dataset",
        "NIST public data, no explicit licence; cite Cohen et al. (2017)",
        "image",
        _EMNIST_FILES,
        alternatives=("emnist/emnist-letters.mat (the member of matlab.zip)",),
    ),
    DatasetInfo(
        "cifar10",
        "CIFAR-10 (binary version); Fence GAN: one class anomalous (anomaly_class=...)",
        "60,000 colour images 32x32 (50,000 train + 10,000 test)",
        "https://www.cs.toronto.edu/~kriz/cifar.html",
        "no explicit licence; cite Krizhevsky (2009)",
        "image",
        _CIFAR_FILES,
        alternatives=("cifar10/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin (extracted)",),
        protocols=("fence_gan", "da3d", "unsupervised"),
    ),
    DatasetInfo(
        "kdd",
        "NSL-KDD (DA3D's 'KDD'): normal traffic vs attacks, ARFF files, nominal attributes one-hot",
        "125,973 train + 22,544 test records, 41 attributes (126 features after one-hot)",
        _NSL_PAGE,
        _UNB_LICENCE + " (Tavallaee et al., CISDA 2009)",
        "tabular",
        _NSL_FILES,
        alternatives=(
            "any file may be stored as .gz",
            "source='txt' reads KDDTrain+.txt/KDDTest+.txt",
        ),
    ),
    DatasetInfo(
        "kdd99",
        "KDD Cup 99 10 % (Fence GAN): attacks are the normal class, normal traffic the anomaly",
        "494,021 records, 41 attributes (121 features after one-hot)",
        "https://archive.ics.uci.edu/dataset/130/kdd+cup+1999+data",
        _UCI_LICENCE,
        "tabular",
        _KDD99_FILES,
        alternatives=(
            "kdd99/kddcup.data_10_percent (uncompressed)",
            "kdd99/kddcup.data_10_percent_corrected",
        ),
        protocols=("fence_gan", "da3d", "unsupervised"),
    ),
    DatasetInfo(
        "covtype",
        "Forest CoverType; DA3D: cover types 1-4 normal, 5-7 anomalous",
        "581,012 records x 54 features",
        "https://archive.ics.uci.edu/dataset/31/covertype",
        _UCI_LICENCE,
        "tabular",
        _COVTYPE_FILES,
        alternatives=(
            "covtype/covtype.csv (Kaggle, header row with Cover_Type; what DA3D reads)",
            "covtype/covtype.data (uncompressed)",
        ),
    ),
    DatasetInfo(
        "census",
        "Census-Income (KDD); income < 50k normal, > 50k anomalous (DA3D quirk: see census_train_file)",
        "199,523 train + 99,762 test records, 40 attributes (510 features after one-hot)",
        "https://archive.ics.uci.edu/dataset/117/census+income+kdd",
        _UCI_LICENCE,
        "tabular",
        _CENSUS_FILES,
        alternatives=("census-income.test / census-income.data uncompressed",),
    ),
    DatasetInfo(
        "creditcard",
        "Credit-card fraud (ULB, Kaggle); fraud is the anomaly; Time dropped",
        "284,807 transactions x 29 features (492 frauds)",
        "https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud",
        "Open Database License (ODbL) 1.0 / Database Contents License 1.0 (Kaggle page)",
        "tabular",
        _CREDITCARD_FILES,
        alternatives=("creditcard/creditcard.csv.gz",),
    ),
    DatasetInfo(
        "url",
        "ISCX-URL2016: benign URLs normal, defacement/malware/phishing/spam anomalous",
        "about 36,700 URLs x 79 lexical features (NaN columns dropped)",
        "https://www.unb.ca/cic/datasets/url-2016.html",
        _UNB_LICENCE + " (Mamun et al., NSS 2016)",
        "tabular",
        _URL_FILES,
        alternatives=("url/FinalDataset/All.csv",),
    ),
    DatasetInfo(
        "doh",
        "CIRA-CIC-DoHBrw-2020 layer 2: benign DoH normal, malicious DoH anomalous (+ week feature)",
        "about 19,800 benign + 249,800 malicious flows x 29 features",
        "https://www.unb.ca/cic/datasets/dohbrw-2020.html",
        _UNB_LICENCE + " (MontazeriShatoori et al., 2020)",
        "tabular",
        _DOH_FILES,
    ),
    DatasetInfo(
        "mammography",
        "ODDS mammography: calcifications are the anomaly (bundled with ganad)",
        "11,183 records x 6 features (260 anomalies)",
        "http://odds.cs.stonybrook.edu/mammography-dataset/",
        "ODDS: free for research (Woods et al., 1993); ADBench copy under " + _ADBENCH_LICENCE,
        "tabular",
        (_adbench_file(*_MAMMO_ROW[:3]),),
        alternatives=(
            "mammography/mammography.mat (ODDS)",
            "the copy bundled in ganad/data/bundled",
        ),
        bundled=True,
    ),
)


def _adbench_infos() -> tuple[DatasetInfo, ...]:
    infos = []
    for filename, size, sha, n, d, n_anom in _ADBENCH_TABLE:
        infos.append(
            DatasetInfo(
                f"adbench:{adbench_name(filename)}",
                f"ADBench Classical {filename.removesuffix('.npz')}",
                f"{n:,} x {d} ({n_anom:,} anomalies = {100 * n_anom / n:.2f} %)",
                "https://github.com/Minqi824/ADBench",
                _ADBENCH_LICENCE,
                "tabular",
                (_adbench_file(filename, size, sha),),
            )
        )
    return tuple(infos)


DATASETS: dict[str, DatasetInfo] = {info.name: info for info in _NAMED + _adbench_infos()}

_ALIASES = {
    "fashion_mnist": "fmnist",
    "fashion-mnist": "fmnist",
    "nsl_kdd": "kdd",
    "nsl-kdd": "kdd",
    "kddcup99": "kdd99",
    "cc": "creditcard",
    "covertype": "covtype",
    "mammo": "mammography",
    "cifar-10": "cifar10",
}


def canonical_name(name: str) -> str:
    """Registry key for `name` (case-insensitive; a few common aliases accepted)."""
    key = name.strip()
    lower = key.lower()
    if lower.startswith("adbench:"):
        return "adbench:" + lower.split(":", 1)[1]
    return _ALIASES.get(lower, lower)


def get_info(name: str) -> DatasetInfo:
    """The registry entry for `name`; an unknown name raises `UnknownDatasetError` listing the names."""
    from ._errors import UnknownDatasetError

    key = canonical_name(name)
    if key in DATASETS:
        return DATASETS[key]
    named = ", ".join(n for n in DATASETS if not n.startswith("adbench:"))
    raise UnknownDatasetError(
        f"unknown data set {name!r}. Known: {named}, and adbench:<name> for "
        f"{', '.join(adbench_name(r[0]) for r in _ADBENCH_TABLE)}; or a path to a .csv, .parquet, "
        ".npz (ADBench) or .mat (ODDS) file."
    )
