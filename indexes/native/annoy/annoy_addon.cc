// A small N-API addon over Spotify's header-only annoylib.h (the copy bundled in the `annoy`
// npm package). Everything slow runs on the libuv thread pool and returns a Promise: building
// the forest, searching (queries in parallel with OpenMP), saving, loading and reading items
// back. Items are numbered 0..n-1 here; the TypeScript adapter maps them to caller ids.
//
// Annoy is build-once: buildAsync replaces the whole index from a block of vectors.
// Files are written and read with plain stdio (not Annoy's mmap load) so that replacing or
// truncating the file later can never fault a live index.
#include <napi.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "annoylib.h"
#include "kissrandom.h"

namespace
{

  using S = int32_t;
  using T = float;

  // The operations the addon needs, over any Annoy distance.
  class Forest
  {
  public:
    virtual ~Forest() = default;
    virtual void build(const float *x, S n, int trees, int seed) = 0;
    virtual void search(const float *q, size_t k, int searchK, std::vector<S> &ids, std::vector<T> &dist) const = 0;
    virtual S items() const = 0;
    virtual S trees() const = 0;
    virtual void item(S i, float *out) const = 0;
    virtual void save(const std::string &file) const = 0;
    virtual void load(const std::string &file) = 0;
  };

  template <typename Distance>
  class HeapForest : public Forest, protected AnnoyIndex<S, T, Distance, Kiss64Random>
  {
    using Base = AnnoyIndex<S, T, Distance, Kiss64Random>;
    using Node = typename Base::Node;

  public:
    explicit HeapForest(int f) : Base(f) {}

    void build(const float *x, S n, int trees, int seed) override
    {
      this->unload();
      this->_built = false;
      this->set_seed(seed);
      char *error = nullptr;
      this->_allocate_size(n);
      for (S i = 0; i < n; i++)
      {
        if (!this->add_item(i, x + static_cast<size_t>(i) * this->_f, &error))
          fail("add_item", error);
      }
      if (!Base::build(trees, &error))
        fail("build", error);
    }

    void search(const float *q, size_t k, int searchK, std::vector<S> &ids, std::vector<T> &dist) const override
    {
      this->get_nns_by_vector(q, k, searchK, &ids, &dist);
    }

    S items() const override { return this->_n_items; }
    S trees() const override { return static_cast<S>(this->_roots.size()); }

    void item(S i, float *out) const override { this->get_item(i, out); }

    void save(const std::string &file) const override
    {
      if (!this->_built)
        throw std::runtime_error("the Annoy index has not been built");
      FILE *f = std::fopen(file.c_str(), "wb");
      if (f == nullptr)
        throw std::runtime_error("cannot open " + file + " for writing: " + std::strerror(errno));
      size_t written = std::fwrite(this->_nodes, this->_s, static_cast<size_t>(this->_n_nodes), f);
      bool flushed = std::fflush(f) == 0;
      bool closed = std::fclose(f) == 0;
      if (written != static_cast<size_t>(this->_n_nodes) || !flushed || !closed)
        throw std::runtime_error("cannot write " + file + ": " + std::strerror(errno));
    }

    // Annoy's own load(), but into heap memory instead of an mmap of the file.
    void load(const std::string &file) override
    {
      this->unload();
      FILE *f = std::fopen(file.c_str(), "rb");
      if (f == nullptr)
        throw std::runtime_error("cannot open " + file + ": " + std::strerror(errno));
      std::fseek(f, 0, SEEK_END);
      long size = std::ftell(f);
      std::fseek(f, 0, SEEK_SET);
      if (size <= 0 || static_cast<size_t>(size) % this->_s != 0)
      {
        std::fclose(f);
        throw std::runtime_error("corrupt Annoy file " + file + ": its size is not a multiple of the node size for this dimension and metric");
      }
      S nodes = static_cast<S>(static_cast<size_t>(size) / this->_s);
      void *data = std::malloc(static_cast<size_t>(size));
      if (data == nullptr)
      {
        std::fclose(f);
        throw std::runtime_error("out of memory loading " + file);
      }
      size_t got = std::fread(data, 1, static_cast<size_t>(size), f);
      std::fclose(f);
      if (got != static_cast<size_t>(size))
      {
        std::free(data);
        throw std::runtime_error("cannot read " + file);
      }
      this->_nodes = data;
      this->_n_nodes = nodes;
      this->_nodes_size = nodes;
      // Find the roots at the end of the file: the nodes with the most descendants.
      this->_roots.clear();
      S m = -1;
      for (S i = nodes - 1; i >= 0; i--)
      {
        S k = this->_get(i)->n_descendants;
        if (m == -1 || k == m)
        {
          this->_roots.push_back(i);
          m = k;
        }
        else
        {
          break;
        }
      }
      if (this->_roots.size() > 1 && this->_get(this->_roots.front())->children[0] == this->_get(this->_roots.back())->children[0])
        this->_roots.pop_back();
      this->_n_items = m;
      this->_built = true;
      this->_loaded = false;
    }

  private:
    [[noreturn]] static void fail(const char *what, char *error)
    {
      std::string message = std::string("Annoy ") + what + " failed" + (error ? std::string(": ") + error : std::string());
      if (error)
        std::free(error);
      throw std::runtime_error(message);
    }
  };

  std::unique_ptr<Forest> makeForest(const std::string &metric, int dim)
  {
    if (metric == "dot")
      return std::make_unique<HeapForest<DotProduct>>(dim);
    if (metric == "euclidean")
      return std::make_unique<HeapForest<Euclidean>>(dim);
    if (metric == "angular")
      return std::make_unique<HeapForest<Angular>>(dim);
    return nullptr;
  }

  class PromiseWorker : public Napi::AsyncWorker
  {
  public:
    using Work = std::function<void()>;
    using Result = std::function<Napi::Value(Napi::Env)>;

    static Napi::Promise Queue(Napi::Env env, Napi::Object owner, Work work, Result result)
    {
      auto *worker = new PromiseWorker(env, owner, std::move(work), std::move(result));
      Napi::Promise promise = worker->deferred_.Promise();
      worker->AsyncWorker::Queue();
      return promise;
    }

  protected:
    void Execute() override
    {
      try
      {
        work_();
      }
      catch (const std::exception &ex)
      {
        SetError(ex.what());
      }
      catch (...)
      {
        SetError("annoy addon: unknown native error");
      }
    }

    void OnOK() override
    {
      Napi::Env env = Env();
      deferred_.Resolve(result_ ? result_(env) : env.Undefined());
    }

    void OnError(const Napi::Error &ex) override { deferred_.Reject(ex.Value()); }

  private:
    PromiseWorker(Napi::Env env, Napi::Object owner, Work work, Result result)
        : Napi::AsyncWorker(env, "annoy-addon"),
          deferred_(Napi::Promise::Deferred::New(env)),
          owner_(Napi::Persistent(owner)),
          work_(std::move(work)),
          result_(std::move(result)) {}

    Napi::Promise::Deferred deferred_;
    Napi::ObjectReference owner_;
    Work work_;
    Result result_;
  };

  // A Float32Array kept alive (and used in place) while a worker reads it.
  struct FloatInput
  {
    const float *data = nullptr;
    size_t length = 0;
    Napi::ObjectReference keep;
  };

  std::shared_ptr<FloatInput> floatInput(const Napi::Env &env, const Napi::Value &value, const char *what)
  {
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, std::string(what) + " must be a Float32Array");
    auto input = std::make_shared<FloatInput>();
    Napi::Float32Array array = value.As<Napi::Float32Array>();
    input->data = array.Data();
    input->length = array.ElementLength();
    input->keep = Napi::Persistent(value.As<Napi::Object>());
    return input;
  }

  int64_t integerArg(const Napi::Env &env, const Napi::Value &value, const char *what, int64_t min)
  {
    if (!value.IsNumber())
      throw Napi::TypeError::New(env, std::string(what) + " must be a number");
    double v = value.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(v) || std::floor(v) != v || v < static_cast<double>(min))
      throw Napi::RangeError::New(env, std::string(what) + " must be an integer >= " + std::to_string(min));
    return static_cast<int64_t>(v);
  }

} // namespace

class AnnoyIndex_ : public Napi::ObjectWrap<AnnoyIndex_>
{
public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports)
  {
    Napi::Function func = DefineClass(env, "AnnoyIndex",
                                      {
                                          InstanceMethod("buildAsync", &AnnoyIndex_::BuildAsync),
                                          InstanceMethod("searchAsync", &AnnoyIndex_::SearchAsync),
                                          InstanceMethod("saveAsync", &AnnoyIndex_::SaveAsync),
                                          InstanceMethod("loadAsync", &AnnoyIndex_::LoadAsync),
                                          InstanceMethod("itemsAsync", &AnnoyIndex_::ItemsAsync),
                                          InstanceMethod("size", &AnnoyIndex_::Size),
                                          InstanceMethod("trees", &AnnoyIndex_::Trees),
                                      });
    exports.Set("AnnoyIndex", func);
    return exports;
  }

  // new AnnoyIndex(dim, metric: "dot" | "euclidean" | "angular")
  AnnoyIndex_(const Napi::CallbackInfo &info) : Napi::ObjectWrap<AnnoyIndex_>(info)
  {
    Napi::Env env = info.Env();
    if (info.Length() != 2)
      throw Napi::TypeError::New(env, "new AnnoyIndex(dim, metric) takes 2 arguments");
    dim_ = static_cast<int>(integerArg(env, info[0], "dim", 1));
    if (!info[1].IsString())
      throw Napi::TypeError::New(env, "metric must be a string");
    metric_ = info[1].As<Napi::String>().Utf8Value();
    forest_ = makeForest(metric_, dim_);
    if (!forest_)
      throw Napi::TypeError::New(env, "metric must be \"dot\", \"euclidean\" or \"angular\", got \"" + metric_ + "\"");
  }

private:
  // buildAsync(vectors: Float32Array (n x dim), trees, seed): Promise<void>. Replaces the index.
  Napi::Value BuildAsync(const Napi::CallbackInfo &info)
  {
    Napi::Env env = info.Env();
    if (info.Length() != 3)
      throw Napi::TypeError::New(env, "buildAsync(vectors, trees, seed) takes 3 arguments");
    auto x = floatInput(env, info[0], "vectors");
    if (x->length % static_cast<size_t>(dim_) != 0)
      throw Napi::RangeError::New(env, "vectors length " + std::to_string(x->length) + " is not a multiple of dim " + std::to_string(dim_));
    size_t n = x->length / static_cast<size_t>(dim_);
    if (n > 0x7fffffff)
      throw Napi::RangeError::New(env, "too many vectors for Annoy (int32 item numbers)");
    int trees = static_cast<int>(integerArg(env, info[1], "trees", 1));
    int seed = static_cast<int>(integerArg(env, info[2], "seed", 1));
    return PromiseWorker::Queue(
        env, info.This().As<Napi::Object>(),
        [this, x, n, trees, seed]()
        {
          std::unique_lock<std::shared_mutex> lock(mutex_);
          auto fresh = makeForest(metric_, dim_);
          fresh->build(x->data, static_cast<S>(n), trees, seed);
          forest_ = std::move(fresh);
        },
        nullptr);
  }

  // searchAsync(queries: Float32Array (nq x dim), k, searchK): Promise<{ k, labels: Int32Array,
  // distances: Float32Array }>, nq x k, padded with -1. k is clamped to the item count. searchK is
  // the candidate budget (-1: Annoy's default, k x trees); when it yields fewer than k distinct
  // items it is doubled until it does (or covers every tree).
  // Distances are Annoy's: dot product for "dot", Euclidean distance for "euclidean".
  Napi::Value SearchAsync(const Napi::CallbackInfo &info)
  {
    Napi::Env env = info.Env();
    if (info.Length() != 3)
      throw Napi::TypeError::New(env, "searchAsync(queries, k, searchK) takes 3 arguments");
    auto q = floatInput(env, info[0], "queries");
    if (q->length % static_cast<size_t>(dim_) != 0)
      throw Napi::RangeError::New(env, "queries length " + std::to_string(q->length) + " is not a multiple of dim " + std::to_string(dim_));
    size_t nq = q->length / static_cast<size_t>(dim_);
    int64_t k = integerArg(env, info[1], "k", 0);
    int64_t searchK = integerArg(env, info[2], "searchK", -1);
    struct Out
    {
      size_t k = 0;
      std::vector<int32_t> labels;
      std::vector<float> distances;
    };
    auto out = std::make_shared<Out>();
    return PromiseWorker::Queue(
        env, info.This().As<Napi::Object>(),
        [this, q, nq, k, searchK, out]()
        {
          std::shared_lock<std::shared_mutex> lock(mutex_);
          const Forest &forest = *forest_;
          size_t n = static_cast<size_t>(std::max<S>(0, forest.items()));
          size_t kk = std::min<size_t>(static_cast<size_t>(k), n);
          out->k = kk;
          out->labels.assign(nq * kk, -1);
          out->distances.assign(nq * kk, 0.0f);
          if (kk == 0)
            return;
          int64_t full = static_cast<int64_t>(n) * std::max<S>(1, forest.trees());
#pragma omp parallel for schedule(dynamic)
          for (int64_t qi = 0; qi < static_cast<int64_t>(nq); qi++)
          {
            std::vector<S> ids;
            std::vector<T> dist;
            // Annoy's default budget is k x trees candidates (duplicates across trees count).
            int64_t budget = searchK < 0 ? static_cast<int64_t>(kk) * std::max<S>(1, forest.trees()) : searchK;
            for (;;)
            {
              ids.clear();
              dist.clear();
              int sk = static_cast<int>(std::min<int64_t>(std::min(budget, full), 0x7fffffff));
              forest.search(q->data + static_cast<size_t>(qi) * dim_, kk, sk, ids, dist);
              if (ids.size() >= kk || budget >= full)
                break;
              budget = std::max<int64_t>(budget * 2, static_cast<int64_t>(kk));
            }
            size_t got = std::min(ids.size(), kk);
            std::copy(ids.begin(), ids.begin() + got, out->labels.begin() + qi * kk);
            std::copy(dist.begin(), dist.begin() + got, out->distances.begin() + qi * kk);
          }
        },
        [out](Napi::Env env)
        {
          Napi::Int32Array labels = Napi::Int32Array::New(env, out->labels.size());
          Napi::Float32Array distances = Napi::Float32Array::New(env, out->distances.size());
          std::copy(out->labels.begin(), out->labels.end(), labels.Data());
          std::copy(out->distances.begin(), out->distances.end(), distances.Data());
          Napi::Object result = Napi::Object::New(env);
          result.Set("k", Napi::Number::New(env, static_cast<double>(out->k)));
          result.Set("labels", labels);
          result.Set("distances", distances);
          return result;
        });
  }

  // saveAsync(file): Promise<void>.
  Napi::Value SaveAsync(const Napi::CallbackInfo &info)
  {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsString())
      throw Napi::TypeError::New(env, "saveAsync(file) takes a file path");
    std::string file = info[0].As<Napi::String>().Utf8Value();
    return PromiseWorker::Queue(
        env, info.This().As<Napi::Object>(),
        [this, file]()
        {
          std::shared_lock<std::shared_mutex> lock(mutex_);
          forest_->save(file);
        },
        nullptr);
  }

  // loadAsync(file): Promise<void>; the file must have been saved with the same dim and metric.
  Napi::Value LoadAsync(const Napi::CallbackInfo &info)
  {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsString())
      throw Napi::TypeError::New(env, "loadAsync(file) takes a file path");
    std::string file = info[0].As<Napi::String>().Utf8Value();
    return PromiseWorker::Queue(
        env, info.This().As<Napi::Object>(),
        [this, file]()
        {
          std::unique_lock<std::shared_mutex> lock(mutex_);
          auto fresh = makeForest(metric_, dim_);
          fresh->load(file);
          forest_ = std::move(fresh);
        },
        nullptr);
  }

  // itemsAsync(): Promise<Float32Array> of all item vectors, n x dim, in item order.
  Napi::Value ItemsAsync(const Napi::CallbackInfo &info)
  {
    Napi::Env env = info.Env();
    auto out = std::make_shared<std::vector<float>>();
    return PromiseWorker::Queue(
        env, info.This().As<Napi::Object>(),
        [this, out]()
        {
          std::shared_lock<std::shared_mutex> lock(mutex_);
          size_t n = static_cast<size_t>(std::max<S>(0, forest_->items()));
          out->resize(n * static_cast<size_t>(dim_));
          for (size_t i = 0; i < n; i++)
            forest_->item(static_cast<S>(i), out->data() + i * dim_);
        },
        [out](Napi::Env env)
        {
          Napi::Float32Array array = Napi::Float32Array::New(env, out->size());
          std::copy(out->begin(), out->end(), array.Data());
          return array;
        });
  }

  Napi::Value Size(const Napi::CallbackInfo &info)
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return Napi::Number::New(info.Env(), std::max<S>(0, forest_->items()));
  }

  Napi::Value Trees(const Napi::CallbackInfo &info)
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return Napi::Number::New(info.Env(), forest_->trees());
  }

  int dim_ = 0;
  std::string metric_;
  std::unique_ptr<Forest> forest_;
  std::shared_mutex mutex_;
};

Napi::Object InitAll(Napi::Env env, Napi::Object exports)
{
  return AnnoyIndex_::Init(env, exports);
}

NODE_API_MODULE(imsearch_annoy, InitAll)
