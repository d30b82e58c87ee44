// The iteration plan: one walk over the elements of every operand of a computation, in the
// memory order of one of them, with as few axes as their layouts allow.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "maparray/detail/engine.hpp"

namespace maparray::detail {

namespace {

std::string operand_name(std::size_t j, std::size_t count) {
  if (count == 1) return "the input";
  return j == 0 ? "the output" : "input " + std::to_string(j);
}

// Whether an operand's elements lie at strictly increasing addresses in iteration order:
// along every axis, one step moves past everything the inner axes cover.
bool is_forward(const dims& shape, const dims& strides, index_t itemsize) {
  index_t covered = itemsize;
  for (std::size_t k = shape.size(); k-- > 0;) {
    if (strides[k] < covered) return false;
    covered += strides[k] * (shape[k] - 1);
  }
  return true;
}

}  // namespace

plan make_plan(const char* what, std::span<const operand_view> views, std::size_t driver) {
  const auto shape = views[0].shape;
  for (std::size_t j = 1; j < views.size(); ++j) {
    if (!std::ranges::equal(views[j].shape, shape)) {
      throw std::invalid_argument(std::string(what) + ": " + operand_name(j, views.size()) +
                                  " has shape " + to_string(views[j].shape) + " but " +
                                  operand_name(0, views.size()) + " has shape " + to_string(shape));
    }
  }
  plan p;
  p.count = element_count(shape);
  for (const auto& v : views) {
    planned_operand o;
    o.data = v.data;
    o.itemsize = v.itemsize;
    o.storage = v.storage;
    o.writes = v.writes;
    p.operands.push_back(std::move(o));
  }
  if (p.count == 0) return p;

  // The axes longer than one; the driver's strides made positive by walking reversed axes
  // from their other end.
  std::vector<std::size_t> axes;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] > 1) axes.push_back(k);
  }
  std::vector<std::vector<index_t>> stride(views.size(), std::vector<index_t>(shape.size()));
  for (std::size_t j = 0; j < views.size(); ++j) {
    for (std::size_t k : axes) stride[j][k] = views[j].strides[k];
  }
  for (std::size_t k : axes) {
    if (stride[driver][k] >= 0) continue;
    for (std::size_t j = 0; j < views.size(); ++j) {
      p.operands[j].data += (shape[k] - 1) * stride[j][k];
      stride[j][k] = -stride[j][k];
    }
  }
  // Outer axes first, in the driver's memory order; where the driver repeats (stride 0), in
  // the order of the arrays' axes.
  std::ranges::stable_sort(
      axes, [&](std::size_t a, std::size_t b) { return stride[driver][a] > stride[driver][b]; });
  // Merge an axis into the next inner one where every operand is contiguous across them.
  std::vector<index_t> extent;
  std::vector<std::vector<index_t>> merged(views.size());
  for (std::size_t k : axes) {
    bool joins = !extent.empty();
    for (std::size_t j = 0; joins && j < views.size(); ++j) {
      joins = merged[j].back() == stride[j][k] * shape[k];
    }
    if (joins) {
      extent.back() *= shape[k];
      for (std::size_t j = 0; j < views.size(); ++j) merged[j].back() = stride[j][k];
    } else {
      extent.push_back(shape[k]);
      for (std::size_t j = 0; j < views.size(); ++j) merged[j].push_back(stride[j][k]);
    }
  }
  if (extent.empty()) {  // a zero-dimensional array, or all axes of length one
    extent.push_back(1);
    for (std::size_t j = 0; j < views.size(); ++j) merged[j].push_back(views[j].itemsize);
  }
  p.shape = dims(std::span<const index_t>(extent));
  for (std::size_t j = 0; j < views.size(); ++j) {
    p.operands[j].strides = dims(std::span<const index_t>(merged[j]));
    p.operands[j].forward = is_forward(p.shape, p.operands[j].strides, views[j].itemsize);
  }
  return p;
}

}  // namespace maparray::detail
