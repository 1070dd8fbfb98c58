#include <memory>

#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::reference {
namespace {

class ReferenceImplementation final : public Implementation {
 public:
  std::string name() const override { return "builtin:reference"; }

  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    check_forward_buffers(problem, problem.geometry(), x, y, argmax);
    visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
      reference::forward<T>(problem, x.as<const T>(), y.as<T>(), argmax);
    });
  }

  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                ConstBuffer dy, MutableBuffer dx) const override {
    check_backward_buffers(problem, problem.geometry(), x, argmax, dy, dx);
    visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
      if (argmax.empty())
        reference::backward_from_input<T>(problem, x.as<const T>(), dy.as<const T>(), dx.as<T>());
      else
        reference::backward<T>(problem, argmax, dy.as<const T>(), dx.as<T>());
    });
  }
};

}  // namespace

std::unique_ptr<Implementation> make_implementation() {
  return std::make_unique<ReferenceImplementation>();
}

}  // namespace poolcheck::reference
