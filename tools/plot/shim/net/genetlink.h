#include "../linux/kshim.h"
