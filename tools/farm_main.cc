#include <farm/task.h>

int main(int argc, char** argv) { return farm::Main(argc, argv); }
