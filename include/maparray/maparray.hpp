// The umbrella header: everything maparray offers.
#pragma once

#include "maparray/any_array.hpp"
#include "maparray/array.hpp"
#include "maparray/compute.hpp"
#include "maparray/dtype.hpp"
#include "maparray/error.hpp"
#include "maparray/guard.hpp"
#include "maparray/mapping.hpp"
#include "maparray/npy.hpp"
#include "maparray/npz.hpp"
#include "maparray/os.hpp"
#include "maparray/raw_file.hpp"
#include "maparray/shape.hpp"
#include "maparray/shared.hpp"
#include "maparray/version.hpp"
#include "maparray/zip.hpp"
