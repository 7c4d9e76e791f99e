#!/usr/bin/env python3
"""Independent reference for `recdeckd eval --recs`: EVAL.md's metric definitions computed
straight from the files, with the Python standard library only.

    reference_eval.py --recs RECS.tsv --test TEST [--train TRAIN] [--items ITEMS] --k 10

Prints one JSON object: precision, recall, ndcg, map, coverage, ild (null when not
computable), k and the user counts. The definitions (EVAL.md, "Metric definitions"):

  relevant items of a user = the distinct items of that user's test rows (any rating)
  U                        = users with test rows and recommendations
  precision@k = mean over U of hits / k
  recall@k    = mean over U of hits / |relevant|
  ndcg@k      = mean over ALL test users of DCG / IDCG, binary relevance,
                DCG = sum over hits of 1 / ln(1 + rank), IDCG over min(|relevant|, k) ranks
  map@k       = mean over U of (sum over hits of precision at that rank) / min(|relevant|, k)
  coverage    = distinct recommended items / distinct items in TRAIN
  ILD         = mean over users of the mean pairwise (1 - cosine) between the category
                vectors of the recommended items

and RecDeck's documented edge cases (core/include/recdeck/metrics/offline_metrics.h): a
list is its first k rows in file order; a repeated item keeps its rank position but counts
once (never a second hit, once in ILD and coverage); ILD averages the users whose list has
at least 2 distinct items; an item without categories has distance 1 to everything.
"""

import argparse
import csv
import json
import math
import sys

USER_NAMES = {"user", "userid", "uid", "customerid", "customer", "clientid", "visitorid",
              "accountid", "memberid", "reviewerid"}
ITEM_NAMES = {"item", "itemid", "iid", "movieid", "movie", "productid", "product", "sku", "asin",
              "articleid", "trackid", "bookid", "isbn", "contentid", "videoid"}
CATEGORY_NAMES = {"category", "categories", "genre", "genres", "tags"}


def normalise(name):
    return "".join(c for c in name.strip().lower() if c not in " _-.")


def read_text(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def header_columns(line, names):
    """(delimiter, column index) of the first column whose header is in `names`."""
    for delimiter in (",", "\t", ";", "|"):
        fields = [normalise(f) for f in next(csv.reader([line], delimiter=delimiter))]
        for i, f in enumerate(fields):
            if f in names:
                return delimiter, fields
    return None, None


def read_interactions(path):
    """List of (user, item) pairs, ids as written (surrounding spaces trimmed)."""
    text = read_text(path)
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return []
    first = lines[0]
    delimiter, names = header_columns(first, USER_NAMES)
    if delimiter is not None and any(n in ITEM_NAMES for n in names):
        user_col = next(i for i, n in enumerate(names) if n in USER_NAMES)
        item_col = next(i for i, n in enumerate(names) if n in ITEM_NAMES)
        rows = csv.reader(lines[1:], delimiter=delimiter)
        return [(r[user_col].strip(), r[item_col].strip()) for r in rows]
    if "::" in first:  # ratings.dat
        return [tuple(f.strip() for f in l.split("::")[:2]) for l in lines]
    delimiter = "\t" if "\t" in first else ","  # u.data, or header-less user,item,rating
    return [tuple(f.strip() for f in l.split(delimiter)[:2]) for l in lines]


def read_categories(path):
    """item id -> set of category labels."""
    text = read_text(path)
    lines = [l for l in text.splitlines() if l.strip()]
    out = {}
    if not lines:
        return out
    fields = lines[0].split("|")
    if len(fields) == 24 and all(f in ("0", "1") for f in fields[5:]):  # u.item
        for l in lines:
            f = l.split("|")
            out.setdefault(f[0].strip(), {g for g, flag in enumerate(f[5:]) if flag.strip() == "1"})
        return out
    for delimiter in (",", "\t", ";", "|"):
        names = [normalise(f) for f in next(csv.reader([lines[0]], delimiter=delimiter))]
        if any(n in ITEM_NAMES for n in names):
            break
    item_col = next(i for i, n in enumerate(names) if n in ITEM_NAMES)
    cat_col = next((i for i, n in enumerate(names) if n in CATEGORY_NAMES), None)
    separators = "|" if names == ["movieid", "title", "genres"] else "|;"
    for r in csv.reader(lines[1:], delimiter=delimiter):
        item = r[item_col].strip()
        cats = set()
        if cat_col is not None and cat_col < len(r):
            value = r[cat_col]
            for s in separators[1:]:
                value = value.replace(s, separators[0])
            cats = {c.strip() for c in value.split(separators[0]) if c.strip()}
        out.setdefault(item, cats)
    return out


def read_recs(path):
    """user -> list of items in file order."""
    lists = {}
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", errors="surrogateescape").splitlines()
    for number, line in enumerate(lines, 1):
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line.strip():
            continue
        user, item, score = (field.strip(" ") for field in line.split("\t"))
        try:
            float(score)
        except ValueError:
            if number == 1:
                continue  # header
            raise
        lists.setdefault(user, []).append(item)
    return lists


def cosine(a, b):
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def evaluate(recs, test, train_items, categories, k):
    relevant = {}
    for user, item in test:
        relevant.setdefault(user, set()).add(item)
    precision = recall = ndcg = ap = 0.0
    evaluated = 0
    ild_sum = 0.0
    ild_users = 0
    recommended = set()
    for user, items in recs.items():
        cut = items[:k]
        distinct = list(dict.fromkeys(cut))
        recommended.update(distinct)
        if categories is not None and len(distinct) >= 2:
            distances = [1.0 - cosine(categories.get(a, set()), categories.get(b, set()))
                         for i, a in enumerate(distinct) for b in distinct[i + 1:]]
            ild_sum += sum(distances) / len(distances)
            ild_users += 1
        rel = relevant.get(user)
        if not rel or not cut:
            continue
        evaluated += 1
        hits = 0
        dcg = 0.0
        precision_sum = 0.0
        seen = set()
        for rank, item in enumerate(cut, 1):
            if item in seen:
                continue
            seen.add(item)
            if item in rel:
                hits += 1
                dcg += 1.0 / math.log(1 + rank)
                precision_sum += hits / rank
        ideal = min(len(rel), k)
        idcg = sum(1.0 / math.log(1 + rank) for rank in range(1, ideal + 1))
        precision += hits / k
        recall += hits / len(rel)
        ndcg += dcg / idcg
        ap += precision_sum / ideal
    return {
        "k": k,
        "precision": precision / evaluated if evaluated else 0.0,
        "recall": recall / evaluated if evaluated else 0.0,
        "ndcg": ndcg / len(relevant) if relevant else 0.0,
        "map": ap / evaluated if evaluated else 0.0,
        "coverage": len(recommended) / len(train_items) if train_items else None,
        "ild": ild_sum / ild_users if ild_users else None,
        "test_users": len(relevant),
        "evaluated_users": evaluated,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recs", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--train")
    parser.add_argument("--items")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    train_items = {item for _, item in read_interactions(args.train)} if args.train else None
    categories = read_categories(args.items) if args.items else None
    if categories is not None and not any(categories.values()):
        categories = None
    result = evaluate(read_recs(args.recs), read_interactions(args.test), train_items, categories, args.k)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
