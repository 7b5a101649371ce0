"""The embedded whoosh index (the default backend).

Writes are serialized across processes with an exclusive `fcntl.flock` on a lock file beside the
index, taken with retries before whoosh's own writer lock: several gunicorn workers saving at once
wait for each other instead of failing with a LockError or dropping an update (whoosh's AsyncWriter
would fall back to a buffering thread that a worker can exit before flushing).

Reads reuse one searcher per thread and open a new one only when a writer has committed.

Only whoosh's public extension points are used (a weighting model and its scorer, a wrapping query
and matcher, a collector), so that a whoosh upgrade cannot silently change what they do.

How it stays fast on a large corpus (bench/search.py measures it):
- words are matched and scored in `text`, which keeps no positions: its posting blocks hold only
  ids and frequencies and decode several times faster. Positions live in `positions`, read only to
  check phrase candidates.
- phrases: a positional phrase over two common words would check every document holding both. So
  each adjacent word pair is also indexed in `pairs` as one of PAIR_BUCKETS hashed terms: a phrase
  walks its pair bucket's short posting list (VerifiedPhrase), exact despite hash collisions because
  a candidate's positions are checked, and when ranking, only for a candidate that would enter the
  top N (RankingCollector). Hashing bounds the number of distinct terms, which whoosh's build cost
  and index size grow with.
- ranking: BM25 saturates, so whoosh's block-quality skipping rarely skips much for a common word.
  Like the PostgreSQL backend, only the first CANDIDATES candidates in index order are ranked: exact
  for any query with at most that many (every query on the real knowledge base); totals and facets
  still count every match. BM25F reads each scored document's field length from a per-searcher
  table (LengthTableBM25F: the same scores).
"""

import fcntl
import threading
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

from whoosh import collectors, index, scoring, sorting
from whoosh import query as wq
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, Formatter, get_text, highlight
from whoosh.matching import Matcher, NullMatcher, WrappingMatcher
from whoosh.writing import CLEAR

from kb.search.base import MARK_END, MARK_START, Hit, SearchResults, facet_list, marked_snippet, plain_snippet
from kb.search.documents import FACETS
from kb.search.query import WORD, apply_replacements, unknown_words

LOCK_FILE = ".provenant-write.lock"
LOCK_TIMEOUT_S = 60.0
# Worker processes for a full rebuild. whoosh's analysis is pure Python; on a small machine several
# processes were slower than one and leave one segment each, so one unless a deployment measures otherwise.
REBUILD_PROCS = 1

# Names, ids and titles split on - / . _ : but keep "3.1" and "qwen2.5" whole (see query.WORD).
_tokenizer = RegexTokenizer(WORD.pattern)
IDENT_ANALYZER = _tokenizer | LowercaseFilter()
ENGLISH_ANALYZER = _tokenizer | LowercaseFilter() | StopFilter() | StemFilter(lang="en", cachesize=50000)
PAIR_BUCKETS = 1 << 16
# Separates names, title and body in the pairs and positions fields, so that no phrase spans two of them.
PAIR_BREAK = "qqpairbreakqq"
# Ranked candidates per query (see RankingCollector): more candidates rank closer to exact on a corpus
# where one word matches most documents, and cost more. bench/search.py reports both for this value.
CANDIDATES = 5000


class LengthTableBM25F(scoring.BM25F):
    """whoosh's BM25F with the same scores, reading field lengths from a per-searcher table.

    whoosh's scorer looks up each scored document's field length through several layers of reader
    calls; here a segment's lengths are read once (reader.doc_field_length, whoosh's public API) and
    each scorer precomputes the length normalization for the distinct lengths (the same expression,
    so the same floats). A searcher is replaced after every commit, and this table with it."""

    def __init__(self, B=0.75, K1=1.2):
        super().__init__(B=B, K1=K1)
        self.lengths = {}

    def length_table(self, reader, fieldname):
        key = (id(reader), fieldname)
        if key not in self.lengths:
            table = [reader.doc_field_length(docnum, fieldname, 1) for docnum in range(reader.doc_count_all())]
            self.lengths[key] = (reader, table)  # keeps the reader alive, so its id stays unique
        return self.lengths[key][1]

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        lengths = self.length_table(searcher.reader(), fieldname)
        return _LengthTableScorer(searcher, fieldname, text, self.B, self.K1, qf, lengths)


class _LengthTableScorer(scoring.BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, qf, lengths):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.lengths = lengths
        # scoring.bm25(): idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        self.norms = {fl: K1 * ((1 - B) + B * fl / self.avgfl) for fl in set(lengths)}
        self.k1_plus_1 = K1 + 1

    def score(self, matcher):
        tf = matcher.weight()
        return self.idf * ((tf * self.k1_plus_1) / (tf + self.norms[self.lengths[matcher.id()]]))


def pair_bucket(first, second):
    """The pairs-field term for two adjacent analyzed words (crc32: the same in every process)."""
    return format(zlib.crc32(f"{first} {second}".encode()) % PAIR_BUCKETS, "x")


class PairBucketFilter(Filter):
    """Turns a stream of analyzed words into one token per adjacent pair: the pair's hash bucket."""

    def __call__(self, tokens):
        previous = None
        for token in tokens:
            text = token.text  # tokenizers reuse one Token object: read before overwriting
            if text == PAIR_BREAK:
                previous = None
                continue
            if previous is not None:
                token.text = pair_bucket(previous, text)
                yield token
            previous = text


PAIRS_ANALYZER = ENGLISH_ANALYZER | PairBucketFilter()
# field -> boost. Names and ids weigh most, then titles, then body text.
# Everything is matched and scored on one field, `text`: a word is one posting list, and whoosh can
# skip low-scoring blocks (an OR over per-field terms, or optional boost clauses, made it score every
# posting: the slow part of AND queries in bench/search.py). Names and ids weigh more by being
# repeated in `text` (BM25 term frequency), titles likewise to a lesser degree.
NAME_REPEAT, TITLE_REPEAT = 4, 2
FACET_FIELDS = {"kind": "kind", "org": "org", "license": "license", "jurisdiction": "jurisdiction", "status": "status"}


def make_schema():
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        org=KEYWORD(commas=True, lowercase=True, scorable=False),
        license=KEYWORD(commas=True, lowercase=True, scorable=False),
        jurisdiction=KEYWORD(commas=True, lowercase=True, scorable=False),
        title=STORED,
        # Matched and scored; without positions its posting blocks decode several times faster (an AND
        # of a rare and a common word decodes most of the common word's blocks).
        text=TEXT(analyzer=ENGLISH_ANALYZER, phrase=False),
        positions=TEXT(analyzer=ENGLISH_ANALYZER, phrase=True),  # only for checking phrase candidates
        body=STORED,
        pairs=TEXT(analyzer=PAIRS_ANALYZER, phrase=False),
        spell=TEXT(analyzer=IDENT_ANALYZER, phrase=False),  # unstemmed words, for "did you mean"
        url=STORED,
        subtitle=STORED,
    )


def to_fields(doc):
    parts = f" {PAIR_BREAK} ".join([*[n for n in doc.names if n], doc.title, doc.body])
    return {
        "id": doc.doc_id,
        "kind": doc.kind,
        "status": doc.status or "",
        "org": ",".join(doc.facet_values("org")),
        "license": ",".join(doc.facet_values("license")),
        "jurisdiction": ",".join(doc.facet_values("jurisdiction")),
        "title": doc.title,
        "body": doc.body,
        "text": "\n".join([*[n for n in doc.names if n] * NAME_REPEAT, *[doc.title] * TITLE_REPEAT, doc.body]),
        "positions": parts,
        "pairs": parts,
        "spell": "\n".join([doc.title, *[n for n in doc.names if n], doc.body]),
        "url": doc.url,
        "subtitle": doc.subtitle,
    }


class VerifiedPhrase(wq.WrappingQuery):
    """Documents whose `positions` field has `words` at consecutive positions, found through their pair buckets.

    The child (an And of pairs-field bucket terms) yields candidates; each is kept only when the
    words' positions line up, so hash collisions never reach the results. Scored by the child: the
    buckets' BM25 weight, i.e. how often the pairs occur.

    `deferred`: the matcher yields every candidate unchecked and RankingCollector checks positions
    only for a document that would enter the top N (reading positions is most of a phrase's cost)."""

    def __init__(self, child, words, deferred=False):
        super().__init__(child)
        self.words = tuple(words)
        self.deferred = deferred

    def __eq__(self, other):
        return type(other) is type(self) and (other.child, other.words, other.deferred) == (self.child, self.words, self.deferred)

    def __hash__(self):
        return hash((type(self).__name__, self.child, self.words, self.deferred))

    # WrappingQuery's own versions would drop the words.
    def apply(self, fn):
        return type(self)(fn(self.child), self.words, self.deferred)

    def with_boost(self, boost):
        return type(self)(self.child.with_boost(boost), self.words, self.deferred)

    def matcher(self, searcher, context=None):
        child = self.child.matcher(searcher, context)
        positional = [wq.Term("positions", word).matcher(searcher, searcher.boolean_context()) for word in self.words]
        if not child.is_active() or not all(m.is_active() for m in positional):
            return NullMatcher()
        return _VerifiedPhraseMatcher(child, positional, self.deferred)


class _VerifiedPhraseMatcher(WrappingMatcher):
    def __init__(self, child, positional, deferred=False, boost=1.0):
        super().__init__(child, boost)
        self.positional = positional
        self.deferred = deferred
        self.skip_unverified()

    def copy(self):
        return type(self)(self.child.copy(), [m.copy() for m in self.positional], self.deferred, self.boost)

    def replace(self, minquality=0):
        # As WrappingMatcher.replace, keeping the positions and the check.
        child = self.child.replace(minquality)
        return self if child is self.child else type(self)(child, self.positional, self.deferred, self.boost)

    def verified(self):
        """Whether the current candidate really has the words at consecutive positions."""
        docnum = self.child.id()
        positions = []
        for m in self.positional:
            if m.is_active() and m.id() < docnum:
                m.skip_to(docnum)
            if not m.is_active() or m.id() != docnum:
                return False
            positions.append(set(m.value_as("positions")))
        return any(all(start + i in positions[i] for i in range(1, len(positions))) for start in positions[0])

    def skip_unverified(self):
        if self.deferred:
            return
        while self.child.is_active() and not self.verified():
            self.child.next()

    def next(self):
        self.child.next()
        self.skip_unverified()
        # Tells the collector to look at block quality again (the child may have changed block).
        return True

    def skip_to(self, id):
        self.child.skip_to(id)
        self.skip_unverified()

    # WrappingMatcher would hand these straight to the child, bypassing the position check.
    all_ids = Matcher.all_ids
    all_items = Matcher.all_items

    # The child's block quality bounds the phrase's score: checking positions only removes documents.
    def skip_to_quality(self, minquality):
        skipped = self.child.skip_to_quality(minquality / self.boost)
        self.skip_unverified()
        return skipped


def deferred_phrases(q):
    """`q` with its phrases checked only for documents entering the top N, or None when that would
    change results: only where every phrase is required (a phrase under an Or can fail while the
    document still matches through another branch, with a different score)."""
    if isinstance(q, VerifiedPhrase):
        return VerifiedPhrase(q.child, q.words, deferred=True)
    if isinstance(q, wq.Term):
        return q
    if type(q) is wq.And:
        subqueries = [deferred_phrases(sub) for sub in q.subqueries]
        return None if any(sub is None for sub in subqueries) else wq.And(subqueries)
    return None


def _phrase_matchers(matcher):
    if isinstance(matcher, _VerifiedPhraseMatcher):
        return [matcher]
    return [found for child in matcher.children() for found in _phrase_matchers(child)]


class RankingCollector(collectors.TopCollector):
    """The top `limit` by score, with whoosh's block-quality skipping.

    candidates=None ranks every match (exact). Otherwise it stops after `candidates` documents in
    index order once it holds `limit` results (exact for a query with at most that many). With
    deferred phrases (deferred_phrases), a phrase's positions are checked only for a document that
    would enter the top `limit`: the same results as checking every candidate, and the cap then
    counts candidates (pair-bucket documents holding all the query's words' buckets)."""

    def __init__(self, limit, candidates=None):
        super().__init__(limit=limit)
        self.candidates = candidates
        self.seen = 0

    def matches(self):
        for docnum in super().matches():
            yield docnum
            # collect() has counted it by now
            if self.candidates and self.seen >= self.candidates and len(self.items) >= self.limit:
                return

    def collect(self, sub_docnum):
        self.seen += 1
        items = self.items
        if len(items) >= self.limit and self.matcher.score() <= items[0][0]:
            return 0  # would not enter the top `limit` (TopCollector keeps the earlier document on a tie)
        if not all(phrase.verified() for phrase in _phrase_matchers(self.matcher)):
            return 0
        return super().collect(sub_docnum)


class _MarkFormatter(Formatter):
    """Wraps matches in the sentinel markers; base.marked_snippet escapes and turns them into <mark>."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"{MARK_START}{get_text(text, token, replace)}{MARK_END}"


class WhooshBackend:
    name = "whoosh"
    needs_sync = True

    def __init__(self, index_dir):
        self.index_dir = Path(index_dir)
        self._local = threading.local()

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _write_lock(self):
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / LOCK_FILE, "a+") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT_S
            delay = 0.005
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"search index {self.index_dir} stayed locked for {LOCK_TIMEOUT_S:.0f} s") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.2)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _open_for_write(self):
        if index.exists_in(str(self.index_dir)):
            ix = index.open_dir(str(self.index_dir))
            if set(ix.schema.names()) == set(make_schema().names()):
                return ix
        return index.create_in(str(self.index_dir), make_schema())

    def rebuild(self, documents, progress=None, limitmb=128, procs=REBUILD_PROCS):
        """Replace the whole index with `documents` in one commit (readers see old or new, never half).

        With procs > 1, whoosh analyzes batches of documents in that many worker processes, each
        writing its own segment (multisegment: no final merge, which would cost as much again)."""
        count = 0
        with self._write_lock():
            ix = self._open_for_write()
            if procs > 1:
                writer = ix.writer(limitmb=limitmb, procs=procs, multisegment=True, batchsize=256)
            else:
                writer = ix.writer(limitmb=limitmb)
            try:
                for doc in documents:
                    writer.add_document(**to_fields(doc))
                    count += 1
                    if progress:
                        progress(1)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)
        return count

    def update(self, documents, deleted_ids=()):
        """Replace the given documents and delete the given ids, in one locked commit."""
        documents = list(documents)
        if not documents and not deleted_ids:
            return
        with self._write_lock():
            ix = self._open_for_write()
            writer = ix.writer(timeout=LOCK_TIMEOUT_S)
            try:
                for doc_id in deleted_ids:
                    writer.delete_by_term("id", doc_id)
                for doc in documents:
                    writer.update_document(**to_fields(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    # ------------------------------------------------------------------ reading

    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            # A writer committed. Open a new searcher rather than Searcher.refresh(): refresh reuses
            # segment readers and then still returned documents that update_document had replaced.
            searcher.close()
            searcher = None
        if searcher is None:
            if not index.exists_in(str(self.index_dir)):
                return None
            searcher = index.open_dir(str(self.index_dir)).searcher(weighting=LengthTableBM25F())
        self._local.searcher = searcher
        return searcher

    def ids(self):
        """Every document id in the index (for checks and tests)."""
        searcher = self._searcher()
        if searcher is None:
            return set()
        return {fields["id"] for fields in searcher.all_stored_fields()}

    @staticmethod
    def _required(term):
        """What a document must contain for this term, or None (only stop words)."""
        tokens = [t.text for t in ENGLISH_ANALYZER(term.text, mode="query")]
        if not tokens:
            return None
        if term.phrase and len(tokens) > 1:
            buckets = [wq.Term("pairs", pair_bucket(a, b)) for a, b in zip(tokens, tokens[1:], strict=False)]
            return VerifiedPhrase(wq.And(buckets) if len(buckets) > 1 else buckets[0], tokens)
        return wq.Term("text", tokens[0]) if len(tokens) == 1 else wq.And([wq.Term("text", t) for t in tokens])

    def compile(self, parsed, schema=None):
        """ParsedQuery -> (scored whoosh query or None, filter query or None)."""
        ors = []
        for clause in parsed.clauses:
            required = [must for must in (self._required(term) for term in clause) if must is not None]
            if required:
                ors.append(wq.And(required) if len(required) > 1 else required[0])
        scored = (wq.Or(ors) if len(ors) > 1 else ors[0]) if ors else None
        filters = []
        for facet, values in parsed.filters.items():
            field = FACET_FIELDS[facet]
            filters.append(wq.Or([wq.Term(field, v) for v in sorted(values)]))
        filter_q = (wq.And(filters) if len(filters) > 1 else filters[0]) if filters else None
        return scored, filter_q

    @staticmethod
    def ranked(searcher, q, filter_q=None, limit=10, candidates=CANDIDATES):
        """whoosh Results: the best `limit` of the first `candidates` matches (None: of every match)."""
        q = deferred_phrases(q) or q
        collector = RankingCollector(limit, candidates)
        if filter_q is not None:
            collector = collectors.FilterCollector(collector, allow=filter_q)
        searcher.search_with_collector(q, collector)
        return collector.results()

    def search(self, parsed, page=1, page_size=10, facets=True):
        searcher = self._searcher()
        if searcher is None or (parsed.has_terms is False and not parsed.filters):
            return SearchResults(parsed, [], 0, page, page_size, facet_list({}, parsed.filters) if facets else {})
        scored, filter_q = self.compile(parsed, searcher.schema)
        if scored is None and parsed.has_terms:
            # Only stop words: nothing can match.
            return SearchResults(parsed, [], 0, page, page_size, facet_list({}, parsed.filters) if facets else {})
        limit = page * page_size
        if scored is None:
            ranked = searcher.search(wq.Every(), limit=limit, filter=filter_q, sortedby="kind", terms=False)
        else:
            # A page beyond the first CANDIDATES ranks every match (see postgres_backend.search).
            ranked = self.ranked(searcher, scored, filter_q, limit, candidates=CANDIDATES if limit <= CANDIDATES else None)
        # Totals and facets count every match: one unscored pass (no BM25, no ranking heap).
        grouping = {}
        if facets:
            grouping["groupedby"] = {
                name: sorting.FieldFacet(FACET_FIELDS[name], allow_overlap=name in ("org", "license", "jurisdiction"))
                for name in FACETS
            }
            grouping["maptype"] = sorting.Count
        counted = searcher.search(scored if scored is not None else wq.Every(), filter=filter_q, limit=None, scored=False, terms=False, **grouping)
        total = len(counted)
        # Highlight every query word in the body (phrases match through the pairs field, so the
        # query's own body terms would miss them).
        words = {t.text for term in parsed.terms() for t in ENGLISH_ANALYZER(term.text, mode="query")}
        fragmenter, formatter = ContextFragmenter(maxchars=240, surround=60), _MarkFormatter()
        hits = []
        for hit in ranked[(page - 1) * page_size : limit]:
            snippet = ""
            if scored is not None and words:
                snippet = highlight(hit.get("body", ""), words, ENGLISH_ANALYZER, fragmenter, formatter, top=2)
            hits.append(
                Hit(
                    kind=hit["kind"],
                    title=hit["title"],
                    url=hit["url"],
                    subtitle=hit.get("subtitle", ""),
                    snippet=marked_snippet(snippet) if snippet else plain_snippet(hit.get("body", "")),
                    score=float(hit.score or 0.0) if scored is not None else 0.0,
                )
            )
        facet_counts = {}
        if facets:
            for name in FACETS:
                facet_counts[name] = {k: v for k, v in counted.groups(name).items() if k not in (None, "")}
        suggestion = self.suggest(parsed, searcher) if total == 0 and parsed.has_terms else ""
        return SearchResults(parsed, hits, total, page, page_size, facet_list(facet_counts, parsed.filters) if facets else {}, suggestion)

    def suggest(self, parsed, searcher=None):
        """The query text with words the index does not know replaced by close known words, or ""."""
        searcher = searcher or self._searcher()
        corrector = searcher.corrector("spell")
        reader = searcher.reader()
        replacements = {}
        for word in unknown_words(parsed, lambda word: reader.frequency("spell", word) > 0):
            found = corrector.suggest(word, limit=1, maxdist=2)
            if found:
                replacements[word] = found[0]
        return apply_replacements(parsed.text, replacements)

