// The C++ face of the same-results table (test_same_results.py): computes one case through the
// library's run-time API, as a C++ program using maparray would, and writes the result as .npy.
//
//   driver ufunc NAME OUT.npy OPERAND...        operands: @FILE.npy or a number (weak)
//   driver reduce NAME IN.npy OUT.npy AXIS|none DTYPE|none
//   driver eval EXPRESSION OUT.npy NAME=OPERAND...
//
// Exit status 0, or 1 with the exception's type and message on stderr.
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <maparray/maparray.hpp>

namespace ma = maparray;

namespace {

ma::operand operand_of(const std::string& text) {
  if (!text.empty() && text[0] == '@') return ma::open_npy(text.substr(1));
  return ma::scalar::parse(text);
}

void write(const std::string& path, const ma::expression_result& result, const auto& compute) {
  const ma::any_array out = ma::create_npy(path, result.type, result.shape);
  compute(out);
  out.storage().flush();
}

int run(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 3 && args[0] == "ufunc") {
    const auto f = ma::ufunc_from_name(args[1]);
    if (!f) throw std::invalid_argument("no ufunc " + args[1]);
    std::vector<ma::operand> operands;
    for (std::size_t i = 3; i < args.size(); ++i) operands.push_back(operand_of(args[i]));
    write(args[2], ma::describe(*f, operands),
          [&](const ma::any_array& out) { ma::apply(*f, operands, out); });
    return 0;
  }
  if (args.size() == 6 && args[0] == "reduce") {
    const auto r = ma::reduction_from_name(args[1]);
    if (!r) throw std::invalid_argument("no reduction " + args[1]);
    const ma::any_array in = ma::open_npy(args[2]);
    ma::reduce_options how;
    if (args[4] != "none") how.axis = std::stoi(args[4]);
    if (args[5] != "none") how.type = ma::dtype::parse(args[5]);
    const auto input = ma::numeric_type_of(in.type());
    if (!input) throw ma::type_error("not a numeric dtype: " + in.type().str());
    const auto requested = how.type ? ma::numeric_type_of(*how.type) : std::nullopt;
    const ma::expression_result result{ma::to_dtype(ma::reduction_result(*r, *input, requested)),
                                       ma::reduced_shape(in.shape(), how)};
    write(args[3], result, [&](const ma::any_array& out) { ma::reduce(*r, in, out, how); });
    return 0;
  }
  if (args.size() >= 3 && args[0] == "eval") {
    const ma::expression e = ma::expression::parse(args[1]);
    ma::operand_map names;
    for (std::size_t i = 3; i < args.size(); ++i) {
      const auto equals = args[i].find('=');
      names.insert_or_assign(args[i].substr(0, equals), operand_of(args[i].substr(equals + 1)));
    }
    write(args[2], ma::describe(e, names),
          [&](const ma::any_array& out) { ma::evaluate(e, names, out); });
    return 0;
  }
  std::cerr << "usage: driver ufunc|reduce|eval ...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ma::type_error& e) {
    std::cerr << "type_error: " << e.what() << '\n';
  } catch (const std::overflow_error& e) {
    std::cerr << "overflow_error: " << e.what() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
  }
  return 1;
}
